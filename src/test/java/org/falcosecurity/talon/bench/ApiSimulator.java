package org.falcosecurity.talon.bench;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Kubernetes API simulator of the latency benchmark ({@code bench/latency.sh}), a process of its own: fabric8's
 * {@code kubernetes-server-mock} on {@code 127.0.0.1:PORT}. It answers the benchmark's pods ({@code bench/lat-N})
 * in constant time and notes, for each pod, when its first API request and its PATCH were received; everything else
 * Talon asks at startup and in the background (the leader-election Lease, ConfigMaps, lists) goes to the CRUD
 * dispatcher, as on the simulator the tests use.
 *
 * <p>Times are {@link System#nanoTime()}: on Linux the JVM reads it from {@code CLOCK_MONOTONIC}, one clock for
 * every process of the machine (since boot, nanoseconds, never stepped by NTP), so the load generator's send times
 * and these receive times are comparable. ({@code Instant.now()}, {@code CLOCK_REALTIME}, would be too, but with
 * microseconds and steps when the time is set.) The load generator checks it at start ({@code /bench/clock}).
 *
 * <p>For the load generator, under {@code /bench/}: {@code GET /bench/clock} (this process's {@code nanoTime}),
 * {@code POST /bench/reset} (forget the pods seen), {@code GET /bench/count} (how many pods got their PATCH),
 * {@code GET /bench/arrivals} (one line per pod: {@code name requests first-request-nanos patch-nanos}, 0 when no
 * PATCH came).
 *
 * <p>Argument: {@code PORT}.
 */
public final class ApiSimulator {

    /** The namespace of the benchmark's pods. */
    static final String NAMESPACE = "bench";
    /** The node the pods run on, and the {@code hostname} of the events (event provenance). */
    static final String NODE = "bench-node";
    /** The pods' container id (events carry its 12-character short form: event provenance). */
    static final String CONTAINER_ID = "5f1c0a2b9d3e4f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8";

    private ApiSimulator() {
    }

    /** What the simulator saw of one pod: requests, when the first one and the PATCH were received. */
    private static final class Seen {
        final AtomicInteger requests = new AtomicInteger();
        final long first;
        volatile long patch;

        Seen(long first) {
            this.first = first;
        }
    }

    /** The benchmark's pods in constant time, the {@code /bench/} requests, the rest to the CRUD dispatcher. */
    static final class BenchDispatcher extends KubernetesCrudDispatcher {
        private static final String PREFIX = "/api/v1/namespaces/" + NAMESPACE + "/pods/";
        private static final String POD_NAME = "@POD@";
        /**
         * The pod every request gets (with its name), serialised once: the simulator's own cost is not measured. A
         * CRUD dispatcher scans every stored object on each request, so with thousands of pods it, not Talon, would
         * set the latency.
         */
        private static final String POD_JSON = Serialization.asJson(new PodBuilder().withNewMetadata()
                .withName(POD_NAME).withNamespace(NAMESPACE).withUid("00000000-0000-0000-0000-000000000001")
                .addToLabels("app", "bench").endMetadata()
                .withNewSpec().withNodeName(NODE).addNewContainer().withName("c").withImage("busybox").endContainer()
                .endSpec()
                .withNewStatus().withPhase("Running").addNewContainerStatus().withName("c")
                .withContainerID("containerd://" + CONTAINER_ID).withReady(true).endContainerStatus().endStatus()
                .build());

        private final Map<String, Seen> seen = new ConcurrentHashMap<>();

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            long now = System.nanoTime();
            String path = request.getPath().split("\\?")[0];
            if (path.startsWith(PREFIX)) {
                String pod = path.substring(PREFIX.length());
                Seen s = seen.computeIfAbsent(pod, p -> new Seen(now));
                s.requests.incrementAndGet();
                if ("PATCH".equals(request.getMethod()) && s.patch == 0) {
                    s.patch = now;
                }
                return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                        .setBody(POD_JSON.replace(POD_NAME, pod));
            }
            if (path.startsWith("/bench/")) {
                return bench(path, request.getMethod());
            }
            return super.dispatch(request);
        }

        private MockResponse bench(String path, String method) {
            String body;
            switch (method + " " + path) {
                case "GET /bench/clock" -> body = Long.toString(System.nanoTime());
                case "POST /bench/reset" -> {
                    seen.clear();
                    body = "";
                }
                case "GET /bench/count" -> body = Long.toString(seen.values().stream().filter(s -> s.patch != 0)
                        .count());
                case "GET /bench/arrivals" -> {
                    StringBuilder b = new StringBuilder(seen.size() * 40);
                    seen.forEach((pod, s) -> b.append(pod).append(' ').append(s.requests.get()).append(' ')
                            .append(s.first).append(' ').append(s.patch).append('\n'));
                    body = b.toString();
                }
                default -> {
                    return new MockResponse().setResponseCode(404).setBody("not a benchmark request");
                }
            }
            return new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/plain").setBody(body);
        }
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        // the simulator logs every request (java.util.logging, INFO) to the console: thousands of synchronised
        // writes a second, which would be measured as Talon's latency
        java.util.logging.Logger log = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");
        log.setLevel(java.util.logging.Level.WARNING);
        KubernetesMockServer api = new KubernetesMockServer(new Context(Serialization.jsonMapper()),
                new MockWebServer(), new HashMap<>(), new BenchDispatcher(), false);
        api.init(InetAddress.getByName("127.0.0.1"), port);
        // the simulator keeps every request it answered in a queue: drained, or its memory (and its collector's
        // pauses, which would delay the receive times) would grow for the whole run
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
        System.out.println("API simulator on http://127.0.0.1:" + port + " (log " + log.getLevel() + ")");
        Runtime.getRuntime().addShutdownHook(new Thread(api::destroy));
        Thread.currentThread().join();
    }
}
