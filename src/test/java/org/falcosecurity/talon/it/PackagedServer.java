package org.falcosecurity.talon.it;

import org.falcosecurity.talon.support.TalonTestServer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/** Runs the packaged {@code target/falco-talon.jar} as a separate process, as a user would. */
final class PackagedServer implements AutoCloseable {

    static final Path JAR = Path.of("target", "falco-talon.jar");

    final Process process;
    final int port;
    final Path log;

    private PackagedServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    static PackagedServer start(Path workDir, Map<String, String> env, String... args) throws Exception {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: run the integration tests with `./mvnw verify`");
        }
        int port = TalonTestServer.freePort();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", JAR.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true);
        Path log = workDir.resolve("talon.log");
        pb.redirectOutput(log.toFile());
        pb.environment().putAll(env);
        pb.environment().put("LISTEN_PORT", String.valueOf(port));
        pb.environment().put("LISTEN_ADDRESS", "127.0.0.1");
        pb.environment().put("LOG_FORMAT", "text");
        PackagedServer s = new PackagedServer(pb.start(), port, log);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!s.process.isAlive()) {
                throw new IllegalStateException("Talon exited with " + s.process.exitValue() + ":\n" + s.log());
            }
            return s.healthy();
        });
        return s;
    }

    boolean healthy() {
        try {
            return get("/healthz").statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String body) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
