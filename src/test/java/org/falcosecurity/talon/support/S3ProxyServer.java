package org.falcosecurity.talon.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real S3 API server, S3Proxy (org.gaul:s3proxy, its self-contained jar copied by the pom to
 * {@code target/s3proxy/s3proxy-jar-with-dependencies.jar}) in a second JVM on loopback: filesystem backend (a bucket
 * is a folder of {@link #dataDir()}, an object a plain file in it), SigV2/SigV4 authentication with
 * {@link #ACCESS_KEY} / {@link #SECRET_KEY}. Its Jetty, Guava and Jackson never meet the test classpath.
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final String ACCESS_KEY = "talon-test-access";
    public static final String SECRET_KEY = "talon-test-secret-0123456789";
    private static final Path JAR = Path.of("target/s3proxy/s3proxy-jar-with-dependencies.jar");

    private final Path dir;
    private final int port;
    private final Process process;
    private final StringBuilder tail = new StringBuilder();

    private S3ProxyServer(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** Starts S3Proxy and waits until it answers HTTP; the buckets are created as folders first. */
    public static S3ProxyServer start(String... buckets) throws Exception {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: run the tests through Maven (generate-test-resources"
                    + " copies S3Proxy's jar)");
        }
        return PortRace.retry(() -> startOnFreePort(buckets));
    }

    private static S3ProxyServer startOnFreePort(String... buckets) throws Exception {
        Path dir = Files.createTempDirectory("s3proxy");
        Path data = Files.createDirectories(dir.resolve("data"));
        for (String b : buckets) {
            Files.createDirectories(data.resolve(b));
        }
        int port = TalonTestServer.freePort();
        Path props = dir.resolve("s3proxy.properties");
        Files.writeString(props, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + data,
                ""));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", JAR.toAbsolutePath().toString(), "--properties", props.toString())
                .redirectErrorStream(true).start();
        S3ProxyServer s = new S3ProxyServer(dir, port, p);
        s.drainOutput();
        s.awaitReady();
        return s;
    }

    private void drainOutput() {
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
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
        }, "s3proxy-output");
        reader.setDaemon(true);
        reader.start();
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                break;
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(endpoint() + "/").toURL().openConnection();
                c.setConnectTimeout(1000);
                c.setReadTimeout(2000);
                // any answer (403 for an anonymous request) means it listens
                if (c.getResponseCode() > 0) {
                    c.disconnect();
                    return;
                }
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        process.destroyForcibly();
        synchronized (tail) {
            throw new IllegalStateException("S3Proxy did not start:\n" + tail);
        }
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** {@code 127.0.0.1:<port>} (minio.endpoint). */
    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    /** Where the buckets are (a bucket is a folder). */
    public Path dataDir() {
        return dir.resolve("data");
    }

    /** The object files of a bucket, as keys relative to it ({@code prefix/key}). */
    public List<String> keys(String bucket) throws IOException {
        Path b = dataDir().resolve(bucket);
        try (Stream<Path> files = Files.walk(b)) {
            return files.filter(Files::isRegularFile).map(f -> b.relativize(f).toString().replace('\\', '/'))
                    .filter(k -> !k.startsWith(".")).sorted().toList();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
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
