package org.falcosecurity.talon.kafka;

import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.KafkaBroker;
import org.falcosecurity.talon.support.KubernetesSimulator;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.falcosecurity.talon.kafka.KafkaTalons.Deliveries;
import static org.falcosecurity.talon.kafka.KafkaTalons.event;
import static org.falcosecurity.talon.kafka.KafkaTalons.instance;
import static org.falcosecurity.talon.kafka.KafkaTalons.pod;

/**
 * The broker goes down and comes back: the intake answers {@code 503} with {@code Retry-After} (never accepting what
 * it cannot store), within the send timeout and then at once; it stays alive ({@code /healthz}); it recovers by
 * itself when the broker is back, and every event it accepted is processed, none it refused.
 */
class KafkaBrokerOutageSimulatorTest {

    @RegisterExtension
    static final KubernetesSimulator k8s = KubernetesSimulator.crud();
    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start();
        KafkaTalons.createPods(k8s.client(), 5);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aBrokerOutageIsA503WithRetryAfterAndTheIntakeRecoversByItself() throws Exception {
        broker.createTopic("outage-events", 3);
        List<ActionResult> results = new CopyOnWriteArrayList<>();
        List<String> accepted = new ArrayList<>();
        // refused while the broker was down for sure (a 503 while it comes back may hide an event it did store:
        // the send timed out, not the write)
        List<String> refused = new ArrayList<>();
        try (TalonTestServer t = instance(broker, k8s.client(), "outage-events", "outage", "outage-a", new Deliveries(),
                "").start()) {
            t.server().runtime().addResultListener((r, e, n) -> results.add(r));
            String before = UUID.randomUUID().toString();
            assertThat(t.post(event(before, pod(0), 0)).statusCode()).isEqualTo(200);
            accepted.add(before);
            await().atMost(Duration.ofSeconds(60)).until(() -> results.size() == 1);
            // committed before the outage (else it is, rightly, processed again once the broker is back)
            await().atMost(Duration.ofSeconds(20)).until(() -> KafkaDeliverySimulatorTest.lag(broker, "outage",
                    "outage-events", 3) == 0);

            broker.stop();
            // the first event waits for the broker at most the send timeout (3 s here: metadata, then delivery)
            String during = UUID.randomUUID().toString();
            long start = System.nanoTime();
            HttpResponse<String> r = t.post(event(during, pod(1), 1));
            long waitedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(r.body()).contains("\"error\":\"unavailable\"");
            assertThat(waitedMs).isLessThan(7000);
            refused.add(during);
            // the next ones are refused at once, and the process stays alive for its probes
            String next = UUID.randomUUID().toString();
            start = System.nanoTime();
            HttpResponse<String> fast = t.post(event(next, pod(2), 2));
            assertThat(fast.statusCode()).isEqualTo(503);
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2000);
            refused.add(next);
            assertThat(t.send("GET", "/healthz", null, null).statusCode()).isEqualTo(200);
            assertThat(t.server().runtime().counters().get("events_rejected", "reason", "unavailable"))
                    .isEqualTo(2);

            broker.restart();
            java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger(1000);
            // no restart of Talon: the intake takes events again once the broker is back
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
                String id = UUID.randomUUID().toString();
                int status = t.post(event(id, pod(3), attempts.incrementAndGet())).statusCode();
                if (status == 200) {
                    accepted.add(id);
                }
                return status == 200;
            });
            String after = UUID.randomUUID().toString();
            assertThat(t.post(event(after, pod(4), 99)).statusCode()).isEqualTo(200);
            accepted.add(after);

            // every accepted event is processed (the consumer reconnected too), no refused one
            await().atMost(Duration.ofSeconds(90)).until(() -> results.stream().map(ActionResult::getTraceId)
                    .toList().containsAll(accepted));
            assertThat(results).extracting(ActionResult::getTraceId).containsAll(accepted)
                    .doesNotContainAnyElementsOf(refused).doesNotHaveDuplicates();
        }
    }
}
