package org.falcosecurity.talon.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node Elasticsearch 9.5 in a second JVM: its server needs Java 21+ and brings netty, log4j and
 * jackson versions that clash with Talon's, so it runs as {@code src/test/es-node/EsLauncher.java} under Temurin 25
 * (or {@code $TALON_ES_JAVA}) with the jars the pom copies to {@code target/es-node}. Fails, never skips, when that
 * Java is missing: the test must not silently pass without its server.
 */
public final class ElasticsearchNode implements AutoCloseable {

    public static final Path DEFAULT_JAVA = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");

    private final Process process;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();

    private ElasticsearchNode(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static ElasticsearchNode start() throws Exception {
        String override = System.getenv("TALON_ES_JAVA");
        Path java = override == null || override.isBlank() ? DEFAULT_JAVA : Path.of(override);
        if (!Files.isExecutable(java)) {
            throw new IllegalStateException("Elasticsearch 9 needs Java 21+: " + java + " not found (install"
                    + " Temurin 25 there, or set TALON_ES_JAVA)");
        }
        Path lib = Path.of("target/es-node/lib");
        Path home = Path.of("target/es-node/home");
        if (!Files.isDirectory(lib) || !Files.isDirectory(home.resolve("modules/transport-netty4"))) {
            throw new IllegalStateException("target/es-node is missing: run the tests through Maven"
                    + " (generate-test-resources copies the Elasticsearch jars)");
        }
        return PortRace.retry(() -> startOnFreePort(java, lib, home));
    }

    private static ElasticsearchNode startOnFreePort(Path java, Path lib, Path home) throws Exception {
        int port = TalonTestServer.freePort();
        Process p = new ProcessBuilder(List.of(java.toString(), "-Xms256m", "-Xmx512m",
                "-p", lib.toString(), "--add-modules", "ALL-MODULE-PATH",
                "src/test/es-node/EsLauncher.java", home.toString(), String.valueOf(port)))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .start();
        ElasticsearchNode node = new ElasticsearchNode(p, port);
        CompletableFuture<Boolean> ready = new CompletableFuture<>();
        StringBuilder tail = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith("ES-READY")) {
                        ready.complete(true);
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
            ready.complete(false);
        }, "es-node-output");
        reader.setDaemon(true);
        reader.start();
        boolean ok;
        try {
            ok = ready.get(120, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            ok = false;
        }
        if (!ok) {
            node.close();
            synchronized (tail) {
                throw new IllegalStateException("the Elasticsearch node did not start:\n" + tail);
            }
        }
        node.get("/_cluster/health?wait_for_status=yellow&timeout=30s");
        return node;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public String get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(40)).GET()
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** {@code PUT path} with a JSON body; returns the status and body as {@code <status> <body>}. */
    public String put(String path, String json) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + path))
                .timeout(Duration.ofSeconds(40)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    public void refresh() throws IOException, InterruptedException {
        http.send(HttpRequest.newBuilder(URI.create(url() + "/_refresh")).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
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
    }
}
