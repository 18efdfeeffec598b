package org.falcosecurity.talon.support;

import org.opensearch.common.settings.Settings;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.transport.Netty4Plugin;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real single-node OpenSearch 2.19 cluster in the test JVM (HTTP on a free loopback port, data in a temp dir), with
 * a plain HTTP client to query it.
 */
public final class OpenSearchNode implements AutoCloseable {

    private final Node node;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();

    private static final class Embedded extends Node {
        Embedded(Settings settings) {
            super(InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> "talon-test"),
                    List.of(Netty4Plugin.class), true);
        }
    }

    private OpenSearchNode(Node node, int port) {
        this.node = node;
        this.port = port;
    }

    public static OpenSearchNode start() throws Exception {
        // Netty's processor count may only be set once per JVM, and other servers in this test JVM use Netty too
        System.setProperty("opensearch.set.netty.runtime.available.processors", "false");
        Path home = Files.createTempDirectory("opensearch-home");
        int port = TalonTestServer.freePort();
        Settings settings = Settings.builder()
                .put("cluster.name", "talon-test")
                .put("node.name", "talon-test-node")
                .put("path.home", home.toString())
                .put("path.data", home.resolve("data").toString())
                .put("discovery.type", "single-node")
                .put("network.host", "127.0.0.1")
                .put("http.port", port)
                .put("transport.port", "9300-9399")
                .put("http.type", "netty4")
                .put("transport.type", "netty4")
                .build();
        Node node = new Embedded(settings);
        node.start();
        OpenSearchNode n = new OpenSearchNode(node, port);
        n.get("/_cluster/health?wait_for_status=yellow&timeout=30s");
        return n;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + path))
                .timeout(Duration.ofSeconds(40)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return r.body();
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
    public void close() throws IOException {
        node.close();
    }
}
