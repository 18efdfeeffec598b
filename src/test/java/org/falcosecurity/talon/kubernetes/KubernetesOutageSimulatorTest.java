package org.falcosecurity.talon.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.KubernetesSimulator;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.event;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.podFields;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.run;

/**
 * An unhealthy Kubernetes API (on the fabric8 API simulator, in expectations mode): 409, 429 and 5xx answers and
 * refused connections are retried with back-off; other 4xx are not; the result says what happened; the intake keeps
 * answering meanwhile.
 */
class KubernetesOutageSimulatorTest {

    private static final String RULES = """
            - rule: terminate
              match: {rules: [terminate]}
              actions: [{action: t, actionner: kubernetes:terminate}]
            - rule: label
              match: {rules: [label]}
              actions: [{action: l, actionner: kubernetes:label, parameters: {labels: {quarantine: "true"}}}]
            """;

    /** A client as Talon builds its own: no retries of its own. */
    static KubernetesClient clientOf(String url) {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(url).withTrustCerts(true)
                .withRequestRetryBackoffLimit(0).withConnectionTimeout(2000).withRequestTimeout(5000).build()).build();
    }

    @RegisterExtension
    static final KubernetesSimulator k8s = KubernetesSimulator.expectations()
            .client(KubernetesOutageSimulatorTest::clientOf)
            .withTalon(b -> b.rules(RULES)
                    .property("talon.kubernetes.retry-delay-ms", "50")
                    .property("talon.kubernetes.max-retry-delay-ms", "200"))
            .resetBeforeEach();

    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("prod").endMetadata()
                .withNewSpec().withNodeName("node-1").endSpec()
                .withNewStatus().withPhase("Running").endStatus().build();
    }

    private static void status(String method, String path, int code, int times) {
        var status = new StatusBuilder().withCode(code).withMessage("simulated " + code).build();
        switch (method) {
            case "DELETE" -> k8s.server().expect().delete().withPath(path).andReturn(code, status).times(times);
            case "PATCH" -> k8s.server().expect().patch().withPath(path).andReturn(code, status).times(times);
            default -> k8s.server().expect().get().withPath(path).andReturn(code, status).times(times);
        }
    }

    private static long requests(String method, String path) throws InterruptedException {
        List<RecordedRequest> all = new ArrayList<>();
        RecordedRequest r;
        while ((r = k8s.server().takeRequest(5, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) {
            all.add(r);
        }
        return all.stream().filter(x -> x.getMethod().equals(method) && x.getPath().startsWith(path)).count();
    }

    @Test
    void fiveHundredsAreRetriedUntilTheApiAnswers() throws Exception {
        String path = "/api/v1/namespaces/prod/pods/api-1";
        k8s.server().expect().get().withPath(path).andReturn(200, pod("api-1")).always();
        status("DELETE", path, 503, 2);
        k8s.server().expect().delete().withPath(path).andReturn(200, pod("api-1")).once();
        ActionResult r = run(k8s.talon(), "terminate", podFields("prod", "api-1"));
        assertThat(r.getStatus()).as(r.getError()).isEqualTo("success");
        assertThat(requests("DELETE", path)).isEqualTo(3);
    }

    @Test
    void aConflictAndTooManyRequestsAreRetried() throws Exception {
        String path = "/api/v1/namespaces/prod/pods/api-2";
        k8s.server().expect().get().withPath(path).andReturn(200, pod("api-2")).always();
        status("PATCH", path, 409, 1);
        status("PATCH", path, 429, 1);
        k8s.server().expect().patch().withPath(path).andReturn(200, pod("api-2")).once();
        ActionResult r = run(k8s.talon(), "label", podFields("prod", "api-2"));
        assertThat(r.getStatus()).as(r.getError()).isEqualTo("success");
        assertThat(requests("PATCH", path)).isEqualTo(3);
    }

    @Test
    void aFailingApiIsAFailureThatSaysSoAfterTheRetries() throws Exception {
        String path = "/api/v1/namespaces/prod/pods/api-3";
        k8s.server().expect().get().withPath(path).andReturn(200, pod("api-3")).always();
        status("DELETE", path, 500, 10);
        ActionResult r = run(k8s.talon(), "terminate", podFields("prod", "api-3"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).contains("Kubernetes API error 500").contains("simulated 500")
                .contains("gave up after 3 retries");
        assertThat(requests("DELETE", path)).isEqualTo(4);
    }

    @Test
    void otherClientErrorsAreNotRetried() throws Exception {
        String path = "/api/v1/namespaces/prod/pods/api-4";
        k8s.server().expect().get().withPath(path).andReturn(200, pod("api-4")).always();
        status("DELETE", path, 403, 10);
        ActionResult r = run(k8s.talon(), "terminate", podFields("prod", "api-4"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).contains("Kubernetes API error 403").contains("kubernetes/rbac.yaml")
                .doesNotContain("retries");
        assertThat(requests("DELETE", path)).isEqualTo(1);
    }

    @Test
    void anUnreachableApiIsRetriedThenAFailureAndTheIntakeKeepsAnswering() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (KubernetesClient down = clientOf("http://127.0.0.1:" + closedPort);
             TalonTestServer t = TalonTestServer.builder()
                     .config("print_all_events: false\ndeduplication:\n  time_window_seconds: 0\n")
                     .rules(RULES).kubernetesClient(down)
                     .property("talon.kubernetes.retry-delay-ms", "500")
                     .property("talon.kubernetes.max-retry-delay-ms", "1000")
                     .start()) {
            CompletableFuture<ActionResult> pending = CompletableFuture.supplyAsync(() -> {
                try {
                    return run(t, "terminate", podFields("prod", "api-5"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // while the action waits between retries, the intake answers at once
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                assertThat(t.post(event("other-" + i, "nothing", podFields("prod", "p" + i))).statusCode())
                        .isEqualTo(200);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
            }
            ActionResult r = pending.get();
            assertThat(r.getStatus()).isEqualTo("failure");
            assertThat(r.getError()).contains("cannot reach the Kubernetes API").contains("gave up after 3 retries");
        }
    }
}
