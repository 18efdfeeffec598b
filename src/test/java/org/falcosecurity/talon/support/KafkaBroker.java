package org.falcosecurity.talon.support;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real single-node Kafka broker (KRaft: broker and controller in one process) on loopback, in a second JVM: the
 * broker's jars (Scala, its own Jackson) are copied by the pom to {@code target/kafka-node/lib} and never meet the
 * test classpath. {@code kafka-storage format}, then {@code kafka.Kafka} with a generated {@code server.properties};
 * ready once it logs that it started and answers an admin request. {@link #stop()} and {@link #restart()} take it
 * down and bring it back on the same ports and data (a broker outage).
 */
public final class KafkaBroker implements AutoCloseable {

    private static final Path LIB = Path.of("target/kafka-node/lib");

    private final Path dir;
    private final int port;
    private Process process;
    private final StringBuilder tail = new StringBuilder();

    private KafkaBroker(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    private static KafkaBroker shared;

    /**
     * The broker of this test JVM, for classes that keep to their own topics and consumer groups and never stop it:
     * started on first use, stopped when the JVM exits (surefire runs classes one after another in each JVM, and
     * several JVMs side by side, each with its own broker). A class that takes the broker down has its own
     * ({@link #start()}).
     */
    public static synchronized KafkaBroker shared() throws Exception {
        if (shared == null) {
            KafkaBroker broker = start();
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "kafka-broker-stop"));
            shared = broker;
        }
        return shared;
    }

    /** A new broker on free ports (again on others if one is taken before it binds it: {@link PortRace}). */
    public static KafkaBroker start() throws Exception {
        if (!Files.isDirectory(LIB)) {
            throw new IllegalStateException("target/kafka-node/lib is missing: run the tests through Maven"
                    + " (generate-test-resources copies the Kafka broker's jars)");
        }
        return PortRace.retry(KafkaBroker::startOnFreePorts);
    }

    private static KafkaBroker startOnFreePorts() throws Exception {
        Path dir = Files.createTempDirectory("kafka-node");
        int port = TalonTestServer.freePort();
        int controllerPort = TalonTestServer.freePort();
        Files.writeString(dir.resolve("server.properties"), String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "num.network.threads=2",
                "num.io.threads=2",
                "background.threads=2",
                "log.cleaner.enable=false",
                "") );
        Files.writeString(dir.resolve("log4j.properties"), String.join("\n",
                "log4j.rootLogger=WARN, stdout",
                "log4j.logger.kafka.server.KafkaRaftServer=INFO",
                "log4j.appender.stdout=org.apache.log4j.ConsoleAppender",
                "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout",
                "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n", ""));
        Process format = new ProcessBuilder(command("kafka.tools.StorageTool", "format", "-t",
                clusterId(), "-c", dir.resolve("server.properties").toString()))
                .redirectErrorStream(true).start();
        String out = new String(format.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
            throw new IllegalStateException("kafka-storage format failed:\n" + out);
        }
        KafkaBroker broker = new KafkaBroker(dir, port);
        broker.launch();
        return broker;
    }

    /** host:port of the broker's PLAINTEXT listener. */
    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20000));
    }

    public void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** Takes the broker down (its data stays): an outage. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Brings it back on the same port, with the same data. */
    public void restart() throws Exception {
        launch();
    }

    private void launch() throws Exception {
        synchronized (tail) {
            tail.setLength(0);
        }
        List<String> cmd = command("kafka.Kafka", dir.resolve("server.properties").toString());
        cmd.addAll(1, List.of("-Xms128m", "-Xmx384m", "-Dlog4j.configuration=file:" + dir.resolve("log4j.properties")));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        process = p;
        CompletableFuture<Boolean> started = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.contains("Kafka Server started")) {
                        started.complete(true);
                    }
                    synchronized (tail) {
                        tail.append(line).append('\n');
                        if (tail.length() > 8000) {
                            tail.delete(0, tail.length() - 8000);
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            started.complete(false);
        }, "kafka-node-output");
        reader.setDaemon(true);
        reader.start();
        boolean ok;
        try {
            ok = started.get(90, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            ok = false;
        }
        if (!ok) {
            process.destroyForcibly();
            synchronized (tail) {
                throw new IllegalStateException("the Kafka broker did not start:\n" + tail);
            }
        }
        try (Admin admin = admin()) {
            admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
        }
    }

    private static List<String> command(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(LIB.toAbsolutePath() + "/*");
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (what kafka-storage random-uuid prints),
     * never starting with '-': kafka-storage would take such an id for an option and fail ("--cluster-id: expected
     * one argument"), one start in 64. Kafka's own Uuid.randomUuid() draws again in that case too.
     */
    private static String clusterId() {
        while (true) {
            UUID u = UUID.randomUUID();
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16);
            b.putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
            String id = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
            if (!id.startsWith("-")) {
                return id;
            }
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir
        }
    }
}
