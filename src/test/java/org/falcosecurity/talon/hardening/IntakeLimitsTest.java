package org.falcosecurity.talon.hardening;

import org.apache.camel.component.seda.SedaEndpoint;
import org.falcosecurity.talon.ops.TalonCounters;
import org.falcosecurity.talon.support.LogCapture;
import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Body size limit, bounded queues under overload, one pod never acted on concurrently, deduplication. */
class IntakeLimitsTest {

    private static final String SLOW_ROUTE = """
            - route:
                id: actionner-test-slow
                from:
                  uri: direct:actionner-test-slow
                  steps:
                    - bean:
                        ref: podTracker
                        method: enter
                    - delay:
                        asyncDelayed: "{{test.async:false}}"
                        constant: "{{test.delay:20}}"
                    - bean:
                        ref: podTracker
                        method: leave
            """;

    private static final String SLOW_RULES = "- rule: slow\n  actions: [{action: slow, actionner: test:slow}]\n";

    /** Records how many actions run at once, per pod and in all. */
    public static class PodTracker {
        final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
        final AtomicInteger maxPerPod = new AtomicInteger();
        final AtomicInteger now = new AtomicInteger();
        final AtomicInteger maxOverall = new AtomicInteger();
        final AtomicLong done = new AtomicLong();
        final Set<String> traces = ConcurrentHashMap.newKeySet();

        public void enter(org.apache.camel.Exchange x) {
            String pod = x.getMessage().getHeader("TalonNamespace") + "/" + x.getMessage().getHeader("TalonPod");
            int n = running.computeIfAbsent(pod, k -> new AtomicInteger()).incrementAndGet();
            maxPerPod.accumulateAndGet(n, Math::max);
            maxOverall.accumulateAndGet(now.incrementAndGet(), Math::max);
        }

        public void leave(org.apache.camel.Exchange x) {
            String pod = x.getMessage().getHeader("TalonNamespace") + "/" + x.getMessage().getHeader("TalonPod");
            running.get(pod).decrementAndGet();
            now.decrementAndGet();
            traces.add(x.getMessage().getHeader("TalonTraceId", String.class));
            done.incrementAndGet();
        }
    }

    private static String event(int i, String pod) {
        return Events.event("load", "Warning", "{\"k8s.pod.name\":\"" + pod + "\",\"k8s.ns.name\":\"ns\",\"n\":" + i + "}")
                .replace("test output", "test output " + i);
    }

    @Test
    void aBodyOverTheLimitGets413() throws Exception {
        try (TalonTestServer t = TalonTestServer.builder().rules(SLOW_RULES).route("slow.camel.yaml", SLOW_ROUTE)
                .bean("podTracker", new PodTracker()).env("MAX_BODY_BYTES", "4096").start()) {
            String big = Events.event("big", "Warning", "{\"x\":\"" + "a".repeat(5000) + "\"}");
            assertThat(t.post(big).statusCode()).isEqualTo(413);
            String huge = Events.event("big", "Warning", "{\"x\":\"" + "a".repeat(10 * 1024 * 1024) + "\"}");
            assertThat(t.post(huge).statusCode()).isEqualTo(413);
            assertThat(t.post(Events.event("small", "Warning", "{}")).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void overloadGets429AndEveryAcceptedEventIsProcessed() throws Exception {
        PodTracker tracker = new PodTracker();
        try (LogCapture logs = LogCapture.open(); TalonTestServer t = TalonTestServer.builder().rules(SLOW_RULES).route("slow.camel.yaml", SLOW_ROUTE)
                .bean("podTracker", tracker).env("QUEUE_SIZE", "20").env("WORKERS", "2")
                .env("PRINT_ALL_EVENTS", "false").property("test.delay", "50").start()) {
            // capacity: 2 workers x 20 actions/s = 40 events/s; offer as fast as this client can for 2 seconds, and
            // on until the intake has refused one (a client starved of CPU by other builds offers less than it
            // would alone), at most 2000 events or 30 seconds
            TalonCounters counters = t.server().runtime().counters();
            HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(16)).build();
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            AtomicInteger maxQueued = new AtomicInteger();
            AtomicInteger heldRequests = new AtomicInteger();
            long start = System.nanoTime();
            long end = start + Duration.ofSeconds(2).toNanos();
            long giveUp = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int i = 0;
            while (i < 2000 && System.nanoTime() < giveUp
                    && (System.nanoTime() < end || counters.get("events_rejected", "reason", "queue_full") == 0)) {
                String body = event(i, "pod-" + (i % 40));
                i++;
                answers.add(pool.submit(() -> http.send(HttpRequest.newBuilder(t.uri("/"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(), HttpResponse.BodyHandlers.ofString())));
                for (int p = 0; p < 2; p++) {
                    SedaEndpoint queue = t.server().context().getEndpoint("seda:talon-events-" + p, SedaEndpoint.class);
                    maxQueued.accumulateAndGet(queue.getCurrentQueueSize(), Math::max);
                    for (org.apache.camel.Exchange waiting : queue.getQueue()) {
                        // a waiting event holds what the workers read, not the HTTP request it came in (its
                        // routing context, request, response and buffers: ~10 KB an event)
                        if (waiting.getMessage() instanceof org.apache.camel.component.platform.http.vertx.HttpMessage) {
                            heldRequests.incrementAndGet();
                        }
                    }
                }
                if (i % 50 == 0) {
                    // the process stays responsive while overloaded
                    assertThat(t.send("GET", "/healthz", null, null).statusCode()).isEqualTo(200);
                }
                Thread.onSpinWait();
            }
            int accepted = 0;
            int rejected = 0;
            Set<String> acceptedTraces = ConcurrentHashMap.newKeySet();
            for (Future<HttpResponse<String>> f : answers) {
                HttpResponse<String> r = f.get();
                if (r.statusCode() == 200) {
                    accepted++;
                    acceptedTraces.add(r.body().replaceAll(".*\"trace_id\":\"([^\"]+)\".*", "$1"));
                } else {
                    assertThat(r.statusCode()).isEqualTo(429);
                    assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
                    rejected++;
                }
            }
            pool.shutdown();
            assertThat(rejected).as("overload must be refused, not queued without bound").isPositive();
            assertThat(accepted).isPositive();
            // memory stays bounded: no worker queue ever held more than queue_size events
            assertThat(maxQueued.get()).isLessThanOrEqualTo(20);
            assertThat(maxQueued.get()).as("the queues were seen with events waiting").isPositive();
            assertThat(heldRequests.get()).as("queued events that kept their HTTP request").isZero();
            // every refusal is counted, but logged at most once a second: a sender cannot flood the log
            long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds() + 1;
            List<String> lines = logs.lines().stream().filter(l -> l.contains("the worker queue is full")).toList();
            assertThat(lines).isNotEmpty().hasSizeLessThanOrEqualTo((int) seconds + 1);
            // each line stands for itself and the refusals not logged since the previous one
            long told = lines.size() + lines.stream()
                    .map(l -> l.replaceAll(".*and (\\d+) more since the previous line, counted, not logged.*", "$1"))
                    .filter(n -> n.matches("\\d+")).mapToLong(Long::parseLong).sum();
            assertThat(told).isLessThanOrEqualTo(rejected);
            // every accepted event is processed
            await().atMost(Duration.ofSeconds(60)).until(() -> tracker.traces.containsAll(acceptedTraces));
            assertThat(t.server().runtime().counters().get("events_rejected", "reason", "queue_full"))
                    .isEqualTo(rejected);
            // one pod is never acted on by two actions at once
            assertThat(tracker.maxPerPod.get()).isEqualTo(1);
            assertThat(tracker.maxOverall.get()).isLessThanOrEqualTo(2);
            await().atMost(Duration.ofSeconds(5)).until(() -> t.server().context().getRegistry()
                    .lookupByNameAndType("podGate", org.falcosecurity.talon.dispatch.PodGate.class).size() == 0);
        }
    }

    @Test
    void theWorkerQueuesTogetherHoldAtMostQueueMaxBytes() throws Exception {
        PodTracker tracker = new PodTracker();
        // room for about 20 events of this size over both queues, although each queue takes 10,000
        String sample = event(0, "pod-0");
        int budget = 20 * (2 * sample.length() + 4096);
        try (TalonTestServer t = TalonTestServer.builder().rules(SLOW_RULES).route("slow.camel.yaml", SLOW_ROUTE)
                .bean("podTracker", tracker).env("QUEUE_SIZE", "10000").env("WORKERS", "2")
                .env("QUEUE_MAX_BYTES", String.valueOf(budget)).env("PRINT_ALL_EVENTS", "false")
                .property("test.delay", "50").start()) {
            HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(8)).build();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            TalonCounters counters = t.server().runtime().counters();
            // 200 events, and on until the intake has refused one (a client starved of CPU offers less than it
            // would alone), at most 2000 events or 30 seconds
            long giveUp = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            for (int i = 0; i < 2000 && System.nanoTime() < giveUp
                    && (i < 200 || counters.get("events_rejected", "reason", "queue_full") == 0); i++) {
                String body = event(i, "pod-" + (i % 40));
                answers.add(pool.submit(() -> http.send(HttpRequest.newBuilder(t.uri("/"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(), HttpResponse.BodyHandlers.ofString())));
            }
            Set<String> acceptedTraces = ConcurrentHashMap.newKeySet();
            int rejected = 0;
            double maxGauge = 0;
            for (Future<HttpResponse<String>> f : answers) {
                HttpResponse<String> r = f.get();
                maxGauge = Math.max(maxGauge, queuedBytes(t));
                if (r.statusCode() == 200) {
                    acceptedTraces.add(r.body().replaceAll(".*\"trace_id\":\"([^\"]+)\".*", "$1"));
                } else {
                    assertThat(r.statusCode()).isEqualTo(429);
                    assertThat(r.body()).contains("\"error\":\"overloaded\"");
                    rejected++;
                }
            }
            pool.shutdown();
            // more events at once than the workers take in seconds: the budget, not queue_size, refuses
            assertThat(rejected).isPositive();
            assertThat(maxGauge).isPositive().isLessThanOrEqualTo(budget);
            await().atMost(Duration.ofSeconds(60)).until(() -> tracker.traces.containsAll(acceptedTraces));
            // every event's bytes are given back once it is processed
            await().atMost(Duration.ofSeconds(5)).until(() -> queuedBytes(t) == 0);
        }
    }

    private static double queuedBytes(TalonTestServer t) {
        return t.server().runtime().counters().registry().get("falco_talon_queued_bytes").gauge().value();
    }

    @Test
    void onePodIsNeverActedOnConcurrentlyEvenWhenAStepIsAsynchronous() throws Exception {
        PodTracker tracker = new PodTracker();
        try (TalonTestServer t = TalonTestServer.builder().rules(SLOW_RULES).route("slow.camel.yaml", SLOW_ROUTE)
                .bean("podTracker", tracker).env("WORKERS", "1").env("PRINT_ALL_EVENTS", "false")
                .property("test.delay", "30").property("test.async", "true").start()) {
            for (int i = 0; i < 30; i++) {
                assertThat(t.post(event(i, "pod-" + (i % 3))).statusCode()).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> tracker.done.get() == 30);
            assertThat(tracker.maxPerPod.get()).isEqualTo(1);
            // different pods of the same worker may overlap while a step waits asynchronously
            assertThat(tracker.maxOverall.get()).isGreaterThan(1);
        }
    }

    @Test
    void identicalEventsInsideTheWindowAreProcessedOnce() throws Exception {
        PodTracker tracker = new PodTracker();
        try (TalonTestServer t = TalonTestServer.builder().rules(SLOW_RULES).route("slow.camel.yaml", SLOW_ROUTE)
                .bean("podTracker", tracker).property("test.delay", "1").start()) {
            String e = event(1, "p");
            for (int i = 0; i < 5; i++) {
                assertThat(t.post(e).statusCode()).isEqualTo(200);
            }
            assertThat(t.post(event(2, "p")).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> tracker.done.get() == 2
                    && t.server().runtime().counters().get("events_deduplicated") == 4);
        }
    }
}
