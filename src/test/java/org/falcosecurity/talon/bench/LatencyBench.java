package org.falcosecurity.talon.bench;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.falcosecurity.talon.config.RuleFiles;
import org.falcosecurity.talon.config.TalonConfig;
import org.falcosecurity.talon.server.TalonServer;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Event → action latency: from the POST of a Falco event to the moment the resulting API request (the PATCH of a
 * {@code kubernetes:label} action) reaches the Kubernetes API simulator, at a fixed offered rate (open loop).
 * Talon, the simulator and the load generator share one JVM (and one clock). Run with {@code bench/latency.sh}.
 *
 * <p>Arguments: {@code RATE SECONDS [RATE SECONDS ...]}; each pair is one run.
 */
public final class LatencyBench {

    private static final Map<String, Long> SENT = new ConcurrentHashMap<>();
    private static final Map<String, Long> ARRIVED = new ConcurrentHashMap<>();
    /** When the action's first API request (the GET of the pod) reached the simulator. */
    private static final Map<String, Long> FIRST = new ConcurrentHashMap<>();
    /** API requests the simulator answered (a label action should cost a GET and a PATCH). */
    private static final AtomicInteger REQUESTS = new AtomicInteger();
    /**
     * The simulator logs every request (java.util.logging, INFO) to the console: thousands of synchronised writes a
     * second, which would be measured as Talon's latency. Held here so the setting is not garbage collected.
     */
    private static final java.util.logging.Logger SIMULATOR_LOG =
            java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    private LatencyBench() {
    }

    /**
     * The API simulator's answers for the benchmark's pods, in constant time: a GET of pod {@code bench/lat-N}
     * returns that pod, a PATCH returns it too (its arrival time is noted). The CRUD dispatcher scans every stored
     * object on each request, so with thousands of pods it, not Talon, would set the latency.
     */
    static final class TimingDispatcher extends Dispatcher {
        private static final String PREFIX = "/api/v1/namespaces/bench/pods/";
        private static final String POD_NAME = "@POD@";
        /** The pod every request gets (with its name), serialised once: the simulator's own cost is not measured. */
        private static final String POD_JSON = Serialization.asJson(new PodBuilder().withNewMetadata()
                .withName(POD_NAME).withNamespace("bench").addToLabels("app", "bench").endMetadata().withNewSpec()
                .addNewContainer().withName("c").withImage("busybox").endContainer().endSpec()
                .withNewStatus().withPhase("Running").endStatus().build());

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String path = request.getPath().split("\\?")[0];
            if (!path.startsWith(PREFIX)) {
                return new MockResponse().setResponseCode(404).setBody("{\"kind\":\"Status\",\"code\":404}");
            }
            String pod = path.substring(PREFIX.length());
            REQUESTS.incrementAndGet();
            FIRST.putIfAbsent(pod, System.nanoTime());
            if ("PATCH".equals(request.getMethod())) {
                ARRIVED.putIfAbsent(pod, System.nanoTime());
            }
            return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                    .setBody(POD_JSON.replace(POD_NAME, pod));
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args.length % 2 != 0) {
            // stepped: each rate also warms the next one up (straight from the warm-up to 1,000/s, this 2-core
            // machine fell behind in two of three runs; see BENCHMARKS.md)
            args = new String[] {"100", "20", "300", "10", "500", "10", "1000", "10"};
        }
        SIMULATOR_LOG.setLevel(java.util.logging.Level.WARNING);
        KubernetesMockServer api = new KubernetesMockServer(new Context(Serialization.jsonMapper()),
                new MockWebServer(), new HashMap<>(), new TimingDispatcher(), false);
        api.init();
        // the simulator keeps every request it answered in a queue; drained here, or its memory (and the garbage
        // collector's pauses, which this JVM shares with Talon) would grow for the whole run
        ScheduledExecutorService drain = Executors.newSingleThreadScheduledExecutor();
        drain.scheduleWithFixedDelay(() -> {
            try {
                while (api.takeRequest(0, TimeUnit.MILLISECONDS) != null) {
                    // discarded
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, 100, 100, TimeUnit.MILLISECONDS);
        KubernetesClient client = api.createClient();

        Path rules = Files.createTempFile("latency-rules", ".yaml");
        Files.writeString(rules, """
                - rule: quarantine
                  match:
                    rules: [Latency bench]
                  actions:
                    - action: label
                      actionner: kubernetes:label
                      parameters:
                        labels: {falco.org/quarantined: "true"}
                """);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        // WORKERS=n: the `workers` setting (default: Talon's own)
        String workers = System.getenv().getOrDefault("WORKERS", "");
        TalonConfig cfg = TalonConfig.parse("listen_address: 127.0.0.1\nlisten_port: " + port
                + "\nprint_all_events: false\nwatch_rules: false\nlog_format: text\n"
                + (workers.isBlank() ? "" : "workers: " + workers + "\n"), "bench", Map.of());
        TalonServer talon = TalonServer.create(cfg, RuleFiles.of(List.of(rules)), Map.of());
        talon.runtime().useKubernetesClient(client);
        talon.start();

        HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(8))
                .version(HttpClient.Version.HTTP_1_1).build();
        URI uri = URI.create("http://127.0.0.1:" + port + "/");
        AtomicInteger next = new AtomicInteger();
        // warm-up (the JIT compiles the hot path): 10,000 events at 500/s on pods of their own, not measured
        List<String> warm = run(http, uri, next, 500, 20, true);
        await(warm);
        for (int i = 0; i < args.length; i += 2) {
            int rate = Integer.parseInt(args[i]);
            int seconds = Integer.parseInt(args[i + 1]);
            SENT.clear();
            REQUESTS.set(0);
            List<String> pods = run(http, uri, next, rate, seconds, false);
            await(pods);
            report(rate, seconds, pods);
        }
        talon.close();
        client.close();
        api.destroy();
        System.exit(0);
    }

    /** Waits (at most 60 s) until the actions of these pods reached the simulator. */
    private static void await(List<String> pods) {
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> pods.stream().allMatch(ARRIVED::containsKey));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // reported as events without an action
        }
    }

    /** Posts {@code rate} events per second for {@code seconds}, each for a pod of its own; returns the pods. */
    private static List<String> run(HttpClient http, URI uri, AtomicInteger next, int rate, int seconds,
                                    boolean warmup) throws Exception {
        int n = rate * seconds;
        List<String> pods = new ArrayList<>(n);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        long periodNanos = 1_000_000_000L / rate;
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        var done = new java.util.concurrent.CountDownLatch(n);
        timer.scheduleAtFixedRate(() -> {
            if (sent.get() >= n) {
                return;
            }
            sent.incrementAndGet();
            String pod = "lat-" + next.getAndIncrement();
            synchronized (pods) {
                pods.add(pod);
            }
            String body = "{\"rule\":\"Latency bench\",\"priority\":\"Critical\",\"output\":\"12:00:00.000000000: "
                    + "Critical shell in " + pod + "\",\"output_fields\":{\"k8s.ns.name\":\"bench\",\"k8s.pod.name\":\""
                    + pod + "\"}}";
            SENT.put(pod, System.nanoTime());
            http.sendAsync(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
                        if (e != null || r.statusCode() != 200) {
                            refused.incrementAndGet();
                        }
                        done.countDown();
                    });
        }, 0, periodNanos, TimeUnit.NANOSECONDS);
        done.await(seconds + 60L, TimeUnit.SECONDS);
        timer.shutdownNow();
        if (!warmup && refused.get() > 0) {
            System.out.printf("  %d of %d posts were not accepted%n", refused.get(), n);
        }
        return pods;
    }

    private static void report(int rate, int seconds, List<String> pods) {
        long[] lat = pods.stream().filter(p -> ARRIVED.containsKey(p) && SENT.containsKey(p))
                .mapToLong(p -> ARRIVED.get(p) - SENT.get(p)).sorted().toArray();
        long missing = pods.size() - lat.length;
        System.out.printf("rate %5d events/s for %3d s: %6d events, %d without an action; latency p50 %7.2f ms, "
                        + "p99 %7.2f ms, p99.9 %7.2f ms, max %7.2f ms%n", rate, seconds, pods.size(), missing,
                pct(lat, 50), pct(lat, 99), pct(lat, 99.9), lat.length == 0 ? 0 : lat[lat.length - 1] / 1e6);
        long[] toFirst = pods.stream().filter(p -> FIRST.containsKey(p) && SENT.containsKey(p))
                .mapToLong(p -> FIRST.get(p) - SENT.get(p)).sorted().toArray();
        long[] firstToPatch = pods.stream().filter(p -> FIRST.containsKey(p) && ARRIVED.containsKey(p))
                .mapToLong(p -> ARRIVED.get(p) - FIRST.get(p)).sorted().toArray();
        System.out.printf("  API requests per event: %.2f; POST -> first API request (the GET): p50 %.2f ms, p99 %.2f ms;"
                        + " GET -> PATCH: p50 %.2f ms, p99 %.2f ms%n",
                (double) REQUESTS.get() / Math.max(1, pods.size()), pct(toFirst, 50), pct(toFirst, 99),
                pct(firstToPatch, 50), pct(firstToPatch, 99));
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }
}
