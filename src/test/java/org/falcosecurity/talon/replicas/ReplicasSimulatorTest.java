package org.falcosecurity.talon.replicas;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.TalonTestServer;
import org.falcosecurity.talon.support.WebPods;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.falcosecurity.talon.support.WebPods.event;
import static org.falcosecurity.talon.replicas.ReplicaTalons.holder;
import static org.falcosecurity.talon.support.WebPods.pod;
import static org.falcosecurity.talon.replicas.ReplicaTalons.replica;

/**
 * Several Talon replicas over HTTP with a leader elected on a Lease, each with its own Camel context, port and
 * Kubernetes client, on one fabric8 API simulator (it stores the Lease): events posted to every replica are acted on
 * exactly once, by the leader; the leader stops in the middle of a run and a follower takes over with no accepted
 * event lost and none acted on twice; the API server is unreachable for a while (the simulator stopped and started
 * again on the same port): followers keep what they accepted, up to their bounded buffer (then 503 with
 * Retry-After), and the next leader acts on it once.
 */
class ReplicasSimulatorTest {

    private static final int PODS = 20;

    /** One result as seen by the test: which replica produced it. */
    record Run(String replica, ActionResult result) {
    }

    private ReplicaTalons.Simulator simulator;
    private KubernetesClient admin;
    private final Map<String, TalonTestServer> replicas = new LinkedHashMap<>();
    private final List<KubernetesClient> clients = new ArrayList<>();
    private final List<Run> runs = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startSimulator() throws Exception {
        simulator = new ReplicaTalons.Simulator().start();
        admin = simulator.admin();
        WebPods.create(admin, PODS);
    }

    @AfterEach
    void stopAll() {
        replicas.values().forEach(TalonTestServer::close);
        clients.forEach(KubernetesClient::close);
        admin.close();
        simulator.close();
    }

    private void start(String extraConfig, String... names) throws Exception {
        for (String name : names) {
            KubernetesClient c = simulator.client();
            clients.add(c);
            TalonTestServer t = replica(name, c, extraConfig).start();
            t.server().runtime().addResultListener((r, e, n) -> runs.add(new Run(name, r)));
            replicas.put(name, t);
        }
    }

    /** Waits until exactly one running replica leads and the Lease names it; returns its name. */
    private String awaitLeader() {
        return await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100)).until(() -> {
            List<String> leading = replicas.entrySet().stream()
                    .filter(e -> e.getValue().server().runtime().replicas().leadership().leading())
                    .map(Map.Entry::getKey).toList();
            return leading.size() == 1 && leading.get(0).equals(holder(admin)) ? leading.get(0) : null;
        }, java.util.Objects::nonNull);
    }

    private Map<String, Long> runsPerTraceId() {
        return runs.stream().collect(Collectors.groupingBy(r -> r.result().getTraceId(), Collectors.counting()));
    }

    @Test
    void threeReplicasActOnceOnEveryEventPostedToEveryReplica() throws Exception {
        start("", "a", "b", "c");
        String leader = awaitLeader();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String id = UUID.randomUUID().toString();
            ids.add(id);
            // the same event to every replica (Falco and Falcosidekick both configured, a retry on another pod)
            for (TalonTestServer t : replicas.values()) {
                HttpResponse<String> r = t.post(event(id, pod(i % PODS), i));
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                // every replica answers with the event's trace id, the leader's spans and results carry it too
                assertThat(r.body()).contains("\"trace_id\":\"" + id + "\"");
            }
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> runsPerTraceId().keySet().containsAll(ids));
        // a moment for any second run to show up (none may)
        Thread.sleep(1000);
        assertThat(runsPerTraceId()).hasSize(ids.size()).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
        assertThat(runs).allSatisfy(r -> {
            assertThat(r.replica()).isEqualTo(leader);
            assertThat(r.result().getStatus()).as(r.toString()).isEqualTo(ActionResult.SUCCESS);
        });
        assertThat(admin.pods().inNamespace(WebPods.NAMESPACE).withName(pod(0)).get().getMetadata().getLabels())
                .containsEntry("falco.org/suspicious", "true");
    }

    @Test
    void theLeaderStopsMidRunAndAFollowerTakesOverWithNoEventLostNorActedOnTwice() throws Exception {
        start("", "a", "b", "c");
        String leader = awaitLeader();
        List<String> names = new ArrayList<>(replicas.keySet());
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        CompletableFuture<Void> stopping = null;
        for (int i = 0; i < 120; i++) {
            if (i == 60) {
                // the middle: stop the leader while events keep coming (its pod is deleted)
                TalonTestServer l = replicas.get(leader);
                stopping = CompletableFuture.runAsync(l::close);
            }
            String id = UUID.randomUUID().toString();
            // each event to two replicas in turn, the leader among them half of the time
            for (int k = 0; k < 2; k++) {
                String to = names.get((i + k) % names.size());
                try {
                    HttpResponse<String> r = replicas.get(to).post(event(id, pod(i % PODS), i));
                    if (r.statusCode() == 200) {
                        accepted.add(id);
                    } else {
                        // a replica that stops answers 503 once it no longer takes events
                        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
                    }
                } catch (IOException stopped) {
                    // the stopped leader's port is closed: not accepted there
                    assertThat(to).isEqualTo(leader);
                }
            }
        }
        stopping.get();
        replicas.remove(leader).close();
        String next = awaitLeader();
        assertThat(next).isNotEqualTo(leader);

        await().atMost(Duration.ofSeconds(60)).until(() -> runsPerTraceId().keySet().containsAll(accepted));
        Thread.sleep(1000);
        // every accepted event acted on, and only once, across the old and the new leader
        assertThat(accepted).hasSizeGreaterThanOrEqualTo(115);
        assertThat(runsPerTraceId()).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
        assertThat(runsPerTraceId().keySet()).isEqualTo(accepted);
        assertThat(runs.stream().map(Run::replica).collect(Collectors.toSet())).containsExactlyInAnyOrder(leader,
                next);
    }

    @Test
    void theApiServerUnreachableForAWhileFollowersBufferThenRefuseAndTheNextLeaderActsOnce() throws Exception {
        // room for 10 events in each queue
        start("queue_size: 10\n", "a", "b");
        awaitLeader();
        simulator.stop();
        // the leader cannot renew: within renew_deadline_ms it stops acting; no replica leads
        await().atMost(Duration.ofSeconds(20)).until(() -> replicas.values().stream()
                .noneMatch(t -> t.server().runtime().replicas().leadership().leading()));

        List<String> accepted = new ArrayList<>();
        List<HttpResponse<String>> refused = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String id = UUID.randomUUID().toString();
            // every pod's events to both replicas in turn: both worker partitions of both replicas fill up
            HttpResponse<String> r = replicas.get((i / PODS) % 2 == 0 ? "a" : "b").post(event(id, pod(i % PODS), i));
            if (r.statusCode() == 200) {
                accepted.add(id);
            } else {
                refused.add(r);
            }
        }
        // each replica's buffer is bounded: 10 per relay queue (one per worker), and the one being forwarded; 503
        assertThat(accepted).hasSizeBetween(40, 44);
        assertThat(refused).isNotEmpty().allSatisfy(r -> {
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(r.body()).contains("\"error\":\"no_leader\"");
        });
        assertThat(runs).isEmpty();

        simulator.start();
        awaitLeader();
        await().atMost(Duration.ofSeconds(60)).until(() -> runsPerTraceId().keySet().containsAll(accepted));
        Thread.sleep(1000);
        assertThat(runsPerTraceId().keySet()).containsExactlyInAnyOrderElementsOf(accepted);
        assertThat(runsPerTraceId()).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
        assertThat(runs).allSatisfy(r -> assertThat(r.result().getStatus()).as(r.toString())
                .isEqualTo(ActionResult.SUCCESS));
    }
}
