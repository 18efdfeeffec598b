package org.falcosecurity.talon.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.falcosecurity.talon.support.KubernetesSimulator;
import org.falcosecurity.talon.support.TalonTestServer;
import org.falcosecurity.talon.support.TestRules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code /readyz} against the Kubernetes API simulator: ready when the rules are loaded and the API server answers;
 * 503 naming the Kubernetes check when it does not, while {@code /healthz} (liveness) stays 200.
 */
class ReadinessSimulatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RULES = TestRules.LOG_SHELL;

    @RegisterExtension
    static final KubernetesSimulator k8s = KubernetesSimulator.expectations();

    @Test
    void readyWhenRulesAreLoadedAndTheApiServerAnswers() throws Exception {
        // the simulator answers GET /version itself (version 0.0)
        try (TalonTestServer talon = TalonTestServer.builder().rules(RULES).kubernetesClient(k8s.client()).start()) {
            // the first probe of the API server may take longer than a readiness answer waits (2 s) on a busy
            // machine: readiness is a state Kubernetes polls, so poll it
            HttpResponse<String> r = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> talon.send("GET", "/readyz", null, null), res -> res.statusCode() == 200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.path("status").asText()).isEqualTo("UP");
            assertThat(body.at("/checks/rules/status").asText()).isEqualTo("UP");
            assertThat(body.at("/checks/rules/rules").asText()).isEqualTo("1");
            assertThat(body.at("/checks/kubernetes/status").asText()).isEqualTo("UP");
            assertThat(body.at("/checks/kubernetes/version").asText()).isEqualTo("0.0");
            // Camel's own readiness checks are part of the answer: its context, and any route or consumer that is down
            assertThat(body.at("/checks/context/status").asText()).isEqualTo("UP");
            assertThat(body.path("checks").size()).as(r.body()).isEqualTo(3);
            // Camel's full health view is served beside it
            assertThat(talon.send("GET", "/observe/health/ready", null, null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void notReadyWhenTheApiServerIsUnreachableButStillAlive() throws Exception {
        int closedPort = TalonTestServer.freePort();
        Config cfg = new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:" + closedPort)
                .withConnectionTimeout(500).withRequestTimeout(500).withRequestRetryBackoffLimit(0).build();
        try (KubernetesClient unreachable = new KubernetesClientBuilder().withConfig(cfg).build();
             TalonTestServer talon = TalonTestServer.builder().rules(RULES).kubernetesClient(unreachable).start()) {
            HttpResponse<String> r = talon.send("GET", "/readyz", null, null);
            assertThat(r.statusCode()).isEqualTo(503);
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.path("status").asText()).isEqualTo("DOWN");
            assertThat(body.at("/checks/rules/status").asText()).isEqualTo("UP");
            assertThat(body.at("/checks/kubernetes/status").asText()).isEqualTo("DOWN");
            assertThat(body.at("/checks/kubernetes/message").asText()).contains("Kubernetes API server");
            // liveness does not depend on the cluster: Kubernetes must not restart Talon for an API outage
            HttpResponse<String> live = talon.send("GET", "/healthz", null, null);
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(live.body()).isEqualTo("{\"status\":\"ok\"}");
        }
    }
}
