package org.falcosecurity.talon.kubernetes;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.KubernetesSimulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.podFields;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.run;

/** kubernetes:log through the running Talon; the simulator answers log requests by expectation. */
class LogActionnerSimulatorTest {

    private static final String RULES = """
            - rule: log
              match: {rules: [log]}
              actions: [{action: l, actionner: kubernetes:log}]
            - rule: log-options
              match: {rules: [log-options]}
              actions: [{action: l, actionner: kubernetes:log, parameters: {tail_lines: 50, container: proxy}}]
            """;

    @RegisterExtension
    static final KubernetesSimulator k8s = KubernetesSimulator.crud()
            .withTalon(b -> b.rules(RULES).property("talon.kubernetes.max-output-bytes", "1000"))
            .resetBeforeEach();

    private static void expectLog(String pod, String query, String body) {
        k8s.server().expect().get().withPath("/api/v1/namespaces/default/pods/" + pod + "/log?pretty=false&" + query)
                .andReturn(200, body).always();
    }

    @Test
    void fetchesTheLast1000LinesByDefault() throws Exception {
        K8s.pod(k8s.client(), "default", "web-1", Map.of(), null);
        expectLog("web-1", "container=main&tailLines=1000", "line 1\nline 2\n");
        ActionResult r = run(k8s.talon(), "log", podFields("default", "web-1"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(r.getOutput()).isEqualTo("line 1\nline 2\n");
        assertThat(r.getObjects()).containsEntry("pod", "web-1").containsEntry("namespace", "default")
                .containsEntry("container", "main");
    }

    @Test
    void tailLinesAndContainerParameters() throws Exception {
        K8s.pod(k8s.client(), "default", "web-2", Map.of(), null, "main", "proxy");
        expectLog("web-2", "container=proxy&tailLines=50", "proxy log\n");
        ActionResult r = run(k8s.talon(), "log-options", podFields("default", "web-2"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(r.getOutput()).isEqualTo("proxy log\n");
        assertThat(r.getObjects()).containsEntry("container", "proxy");
    }

    @Test
    void longLogsKeepTheLatestBytesAndSaySo() throws Exception {
        K8s.pod(k8s.client(), "default", "web-3", Map.of(), null);
        String logs = IntStream.range(0, 200).mapToObj(i -> String.format("line %03d%n", i))
                .collect(Collectors.joining());
        expectLog("web-3", "container=main&tailLines=1000", logs);
        ActionResult r = run(k8s.talon(), "log", podFields("default", "web-3"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(r.getOutput()).startsWith("[truncated: kept the last 1000 of " + logs.length() + " bytes]\n")
                .endsWith("line 198\nline 199\n").doesNotContain("line 000");
        assertThat(r.getOutput()).hasSize(1000 + ("[truncated: kept the last 1000 of " + logs.length()
                + " bytes]\n").length());
    }

    @Test
    void anUnknownContainerIsAFailure() throws Exception {
        K8s.pod(k8s.client(), "default", "web-4", Map.of(), null, "main");
        ActionResult r = run(k8s.talon(), "log-options", podFields("default", "web-4"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).isEqualTo("container 'proxy' not found in pod default/web-4 (containers: main)");
    }

    @Test
    void anApiErrorIsAFailureWithTheApiServersMessage() throws Exception {
        K8s.pod(k8s.client(), "default", "web-5", Map.of(), null);
        k8s.server().expect().get().withPath("/api/v1/namespaces/default/pods/web-5/log?pretty=false&container=main"
                + "&tailLines=1000").andReturn(400, new StatusBuilder().withStatus("Failure").withCode(400)
                .withReason("BadRequest").withMessage("container \"main\" in pod \"web-5\" is waiting to start")
                .build()).always();
        ActionResult r = run(k8s.talon(), "log", podFields("default", "web-5"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).isEqualTo("Kubernetes API error 400 (BadRequest): container \"main\" in pod"
                + " \"web-5\" is waiting to start");
    }

    @Test
    void missingPodAndFieldsAreFailures() throws Exception {
        assertThat(run(k8s.talon(), "log", podFields("default", "absent")).getError())
                .isEqualTo("pod absent not found in namespace default");
        assertThat(run(k8s.talon(), "log", Map.of("k8s.pod.name", "x")).getError())
                .contains("missing field k8s.ns.name");
    }
}
