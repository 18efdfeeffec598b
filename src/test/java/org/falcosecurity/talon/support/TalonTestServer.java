package org.falcosecurity.talon.support;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.falcosecurity.talon.config.RuleFiles;
import org.falcosecurity.talon.config.TalonConfig;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.kubernetes.KubernetesClients;
import org.falcosecurity.talon.server.TalonServer;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;

/**
 * Starts the real Talon (Camel Main, YAML routes, HTTP intake) in-process on a free port, with the given config and
 * rule files, and posts real HTTP requests to it.
 *
 * <p>One Camel setting differs from {@code application.properties}: the seda queues' consumers (workers, notifier
 * queues) wake up every 50 ms instead of every second ({@link #SEDA_POLL_TIMEOUT}). A seda consumer only checks
 * whether it may start taking work, or must stop, when its poll times out: with the default, the first event after
 * start waited about a second, and every stop took about ten (one second per queue). It changes how quickly Talon
 * notices a start or a stop, not what it does; a test can set it back with {@code .property(...)}.
 */
public final class TalonTestServer implements AutoCloseable {

    private final TalonServer server;
    private final int port;
    private final Path dir;
    private final List<ActionResult> results = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final KubernetesClient ownedClient;
    /** The intake's token, sent by {@link #send} ({@code Authorization: Bearer}); empty: none. */
    private final String token;

    /** The Camel property the harness sets unless a test does, and its value (see the class comment). */
    public static final String SEDA_POLL_TIMEOUT = "camel.component.seda.default-poll-timeout";

    private TalonTestServer(TalonServer server, int port, Path dir, KubernetesClient ownedClient, String token) {
        this.server = server;
        this.port = port;
        this.dir = dir;
        this.ownedClient = ownedClient;
        this.token = token;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static final class Builder {
        private String config = "";
        private final List<String> rules = new ArrayList<>();
        private final List<Path> rulePaths = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private final Map<String, String> properties = new LinkedHashMap<>();
        private KubernetesClient kubernetesClient;
        private final Map<String, String> routes = new LinkedHashMap<>();
        private final Map<String, Object> beans = new LinkedHashMap<>();
        private boolean noCluster;
        private org.falcosecurity.talon.kubernetes.TalonIdentity identity =
                org.falcosecurity.talon.kubernetes.TalonIdentity.none();

        /** The config file's YAML (listen_port is set by the harness). */
        public Builder config(String yaml) {
            this.config = yaml;
            return this;
        }

        /** A rule file's YAML; call again to add more files, merged in order. */
        public Builder rules(String yaml) {
            rules.add(yaml);
            return this;
        }

        /** An existing rule file (after the ones given as text). */
        public Builder rulesPath(Path file) {
            rulePaths.add(file);
            return this;
        }

        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /** A Camel property overriding application.properties. */
        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        /** An extra YAML DSL route file (name ending in .camel.yaml) put in the routes_directory. */
        public Builder route(String fileName, String yaml) {
            routes.put(fileName, yaml);
            return this;
        }

        /** A bean bound in the registry before start (test routes call it as bean:name). */
        public Builder bean(String name, Object bean) {
            beans.put(name, bean);
            return this;
        }

        public Builder kubernetesClient(KubernetesClient client) {
            this.kubernetesClient = client;
            return this;
        }

        /** Runs as if Talon were this pod, of this service account, in this namespace (default: nobody). */
        public Builder identity(String namespace, String pod, String serviceAccount) {
            this.identity = new org.falcosecurity.talon.kubernetes.TalonIdentity(namespace, pod, serviceAccount);
            return this;
        }

        /** Runs as if no cluster were configured (no kubeconfig, not in a pod), wherever the tests run. */
        public Builder withoutKubernetesCluster() {
            this.noCluster = true;
            return this;
        }

        public TalonTestServer start() throws Exception {
            Path dir = Files.createTempDirectory("talon-test");
            List<Path> files = new ArrayList<>();
            for (int i = 0; i < rules.size(); i++) {
                Path f = dir.resolve("rules-" + i + ".yaml");
                Files.writeString(f, rules.get(i));
                files.add(f);
            }
            files.addAll(rulePaths);
            Path routesDir = Files.createDirectories(dir.resolve("routes"));
            for (Map.Entry<String, String> r : routes.entrySet()) {
                Files.writeString(routesDir.resolve(r.getKey()), r.getValue());
            }
            // no rule file given: the packaged example rules, as `server` does with no rule file around
            RuleFiles ruleFiles = files.isEmpty() ? RuleFiles.packagedDefault() : RuleFiles.of(files);
            Map<String, String> props = new LinkedHashMap<>(properties);
            props.putIfAbsent(SEDA_POLL_TIMEOUT, "50");
            for (int attempt = 1; ; attempt++) {
                int port = freePort();
                try {
                    return start(dir, routesDir, ruleFiles, props, port);
                } catch (Exception ex) {
                    // the free port was taken before Talon bound it (test JVMs run side by side): another one
                    if (attempt == 3 || !portTaken(ex)) {
                        throw ex;
                    }
                }
            }
        }

        private TalonTestServer start(Path dir, Path routesDir, RuleFiles ruleFiles, Map<String, String> props,
                                      int port) throws Exception {
            Map<String, String> e = new LinkedHashMap<>(env);
            if (!routes.isEmpty()) {
                e.putIfAbsent("ROUTES_DIRECTORY", routesDir.toString());
            }
            e.put("LISTEN_PORT", String.valueOf(port));
            // one instance acts alone unless the test runs several replicas (ReplicasSimulatorTest turns it on);
            // when it elects a leader, the others reach it on the loopback address it listens on
            e.putIfAbsent("DEDUPLICATION_LEADER_ELECTION", "false");
            e.putIfAbsent("REPLICAS_ADVERTISE_URL", "http://127.0.0.1:" + port);
            e.putIfAbsent("LISTEN_ADDRESS", "127.0.0.1");
            if (kubernetesClient != null && !config.contains("auth:") && e.keySet().stream()
                    .noneMatch(k -> k.startsWith("AUTH_"))) {
                // with a cluster, Talon refuses an open intake: the harness gives it a token and sends it
                e.put("AUTH_TOKEN", java.util.UUID.randomUUID().toString());
            }
            TalonConfig cfg = TalonConfig.parse(config, "test-config.yaml", e);
            TalonServer server = TalonServer.create(cfg, ruleFiles, props);
            beans.forEach(server::bind);
            server.runtime().useIdentity(identity);
            KubernetesClient owned = null;
            if (kubernetesClient != null) {
                server.runtime().useKubernetesClient(kubernetesClient);
            } else if (noCluster) {
                // as a Talon that finds no cluster: no client at all
                server.runtime().useKubernetesConnection(KubernetesClients.Connection.notConfigured());
            }
            TalonTestServer t = new TalonTestServer(server, port, dir, owned, cfg.authToken());
            server.runtime().addResultListener((r, ev, nanos) -> t.results.add(r));
            try {
                server.start();
            } catch (Exception ex) {
                if (owned != null) {
                    owned.close();
                }
                throw ex;
            }
            return t;
        }

        private static boolean portTaken(Throwable t) {
            for (; t != null; t = t.getCause()) {
                if (t instanceof java.net.BindException) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A mock endpoint of the running context (test routes send to {@code mock:<name>}). */
    public org.apache.camel.component.mock.MockEndpoint mock(String name) {
        return server.context().getEndpoint("mock:" + name, org.apache.camel.component.mock.MockEndpoint.class);
    }

    /** The intake's token (empty: none). */
    public String token() {
        return token;
    }

    public TalonServer server() {
        return server;
    }

    public int port() {
        return port;
    }

    /** Directory holding the rule files (rules-0.yaml, ...). */
    public Path dir() {
        return dir;
    }

    public Path ruleFile(int i) {
        return dir.resolve("rules-" + i + ".yaml");
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public HttpResponse<String> post(String body) throws IOException, InterruptedException {
        return send("POST", "/", body, "application/json");
    }

    /** A request carrying the intake's token, when it has one. */
    public HttpResponse<String> send(String method, String path, String body, String contentType)
            throws IOException, InterruptedException {
        return send(method, path, body, contentType, token.isEmpty() ? null : "Bearer " + token);
    }

    /** A request with this {@code Authorization} header ({@code null}: none). */
    public HttpResponse<String> send(String method, String path, String body, String contentType,
                                     String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every action result so far, in the order they were produced. */
    public List<ActionResult> results() {
        return List.copyOf(results);
    }

    /** Waits until at least {@code n} results were produced, and returns them. */
    public List<ActionResult> awaitResults(int n) {
        await().atMost(Duration.ofSeconds(20)).until(() -> results.size() >= n);
        return results();
    }

    @Override
    public void close() {
        server.close();
        if (ownedClient != null) {
            ownedClient.close();
        }
    }
}
