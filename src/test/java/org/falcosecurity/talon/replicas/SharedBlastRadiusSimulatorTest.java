package org.falcosecurity.talon.replicas;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.TalonTestServer;
import org.falcosecurity.talon.support.WebPods;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.falcosecurity.talon.support.WebPods.event;
import static org.falcosecurity.talon.support.WebPods.pod;
import static org.falcosecurity.talon.replicas.ReplicaTalons.replica;

/**
 * Blast-radius limits across replicas, on the fabric8 API simulator (it stores the ConfigMap of the shared counters
 * and answers 409 to a write at an old resource version): three replicas that each act (no leader election, as in
 * Kafka mode) allow N guarded actions in the window, not 3N; with the API server unreachable a guarded action does
 * not run (fail closed) while an unguarded one is not held back by the counters.
 */
class SharedBlastRadiusSimulatorTest {

    private static final String LIMITS = """
            blast_radius:
              window_seconds: 600
              max_actions: 5
              actionners: [kubernetes:label]
            """;

    private ReplicaTalons.Simulator simulator;
    private KubernetesClient admin;
    private final List<TalonTestServer> replicas = new ArrayList<>();
    private final List<KubernetesClient> clients = new ArrayList<>();
    private final List<ActionResult> results = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        simulator = new ReplicaTalons.Simulator().start();
        admin = simulator.admin();
        WebPods.create(admin, 30);
        for (String name : List.of("a", "b", "c")) {
            KubernetesClient c = simulator.client();
            clients.add(c);
            TalonTestServer t = replica(name, c, LIMITS).env("DEDUPLICATION_LEADER_ELECTION", "false").start();
            t.server().runtime().addResultListener((r, e, n) -> results.add(r));
            replicas.add(t);
        }
    }

    @AfterEach
    void stop() {
        replicas.forEach(TalonTestServer::close);
        clients.forEach(KubernetesClient::close);
        admin.close();
        simulator.close();
    }

    @Test
    void threeReplicasAllowTheLimitOnceBetweenThem() throws Exception {
        // 30 guarded actions on 30 pods, posted at once to the three replicas: they race for the counters
        List<CompletableFuture<HttpResponse<String>>> posts = IntStream.range(0, 30)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> {
                    try {
                        return replicas.get(i % 3).post(event(UUID.randomUUID().toString(), pod(i), i));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })).toList();
        for (var p : posts) {
            assertThat(p.get().statusCode()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> results.size() >= 30);
        assertThat(results.stream().filter(r -> r.getStatus().equals(ActionResult.SUCCESS))).hasSize(5);
        assertThat(results.stream().filter(r -> r.getStatus().equals(ActionResult.IGNORED))).hasSize(25)
                .allSatisfy(r -> assertThat(r.getMessage()).contains("at most 5 destructive actions per 600s")
                        .contains("all replicas"));
        // the simulator holds the five allowed actions' times
        String windows = admin.configMaps().inNamespace(ReplicaTalons.TALON_NAMESPACE)
                .withName("falco-talon-blast-radius").get().getData().get("windows.json");
        assertThat(windows.split(",\\d|\\[\\d").length - 1).isGreaterThanOrEqualTo(5);
    }

    @Test
    void theApiServerUnreachableAGuardedActionDoesNotRun() throws Exception {
        simulator.stop();
        assertThat(replicas.get(0).post(event(UUID.randomUUID().toString(), pod(1), 1)).statusCode())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> !results.isEmpty());
        ActionResult r = results.get(0);
        assertThat(r.getStatus()).isEqualTo(ActionResult.FAILURE);
        assertThat(r.getError()).contains("blast-radius limits cannot be checked")
                .contains("ConfigMap falco/falco-talon-blast-radius").contains("API server unreachable")
                .contains("the guarded action does not run");

        // back: the next guarded action is counted and runs
        simulator.start();
        assertThat(replicas.get(1).post(event(UUID.randomUUID().toString(), pod(2), 2)).statusCode())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> results.size() >= 2);
        assertThat(results.get(1).getStatus()).as(results.get(1).toString()).isEqualTo(ActionResult.SUCCESS);
    }
}
