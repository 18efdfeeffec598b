package org.falcosecurity.talon.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.LogCapture;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.podFields;

/**
 * Item 8 of "secure by default", through the running Talon against the fabric8 API simulator: before acting on a pod,
 * Talon checks that the event could have come from it — a syscall event's {@code hostname} is the pod's node, its
 * {@code container.id} (Falco's 12-character short id or the full id) one of the pod's containers. A spoofed event
 * (wrong node, wrong container id) leaves its pod alone; a genuine one still acts; {@code warn} acts and counts,
 * {@code off} does not check; an audit event, which has neither field, is checked for the pod only.
 */
@EnableKubernetesMockClient(crud = true)
class EventProvenanceSimulatorTest {

    static KubernetesClient client;

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String RULES = """
            - rule: terminate
              match: {rules: [terminate]}
              actions: [{action: t, actionner: kubernetes:terminate}]
            - rule: label
              match: {rules: [label]}
              actions: [{action: l, actionner: kubernetes:label, parameters: {labels: {quarantine: "true"}}}]
            """;
    private static final String APP = "3b1f9c2d7e8a4f60b5c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3";
    private static final String SIDECAR = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d";
    private static final String INIT = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static TalonTestServer talon(String mode) throws Exception {
        return talon(mode, "");
    }

    private static TalonTestServer talon(String mode, String moreConfig) throws Exception {
        return TalonTestServer.builder()
                .config("print_all_events: false\ndeduplication: {time_window_seconds: 0}\n"
                        + (mode == null ? "" : "provenance: " + mode + "\n") + moreConfig)
                .rules(RULES).kubernetesClient(client).start();
    }

    /** The audit file's records of one event. */
    private static List<JsonNode> auditRecords(Path file, String traceId) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                JsonNode r = JSON.readTree(line);
                if (traceId.equals(r.path("trace_id").asText())) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    /** A pod on node-1 running two containers (containerd and CRI-O ids) after an init container (docker). */
    private static Pod pod(String ns, String name) {
        return client.resource(K8s.podBuilder(ns, name, Map.of(), "app", "sidecar").editStatus()
                .withContainerStatuses(
                        new ContainerStatusBuilder().withName("app").withContainerID("containerd://" + APP).build(),
                        new ContainerStatusBuilder().withName("sidecar").withContainerID("cri-o://" + SIDECAR).build())
                .withInitContainerStatuses(
                        new ContainerStatusBuilder().withName("init").withContainerID("docker://" + INIT).build())
                .endStatus().build()).create();
    }

    private static boolean exists(String ns, String name) {
        return client.pods().inNamespace(ns).withName(name).get() != null;
    }

    private static long mismatches(TalonTestServer t, String mode) {
        return t.server().runtime().counters().get("provenance_mismatches", "mode", mode);
    }

    @Test
    void aSpoofedEventLeavesItsPodAloneAndAGenuineOneActs() throws Exception {
        pod("shop", "web-1");
        Path audit = Files.createTempDirectory("talon-provenance").resolve("audit.jsonl");
        try (LogCapture logs = LogCapture.openAtInfo(); TalonTestServer t = talon(null, "audit: {file: " + audit
                + "}\n")) {
            // sent as if Falco on node-2 had seen it: the pod runs on node-1
            ActionResult wrongNode = ActionnerRun.runOn(t, "node-2", "terminate", podFields("shop", "web-1",
                    "container.id", APP.substring(0, 12)));
            assertThat(wrongNode.getStatus()).isEqualTo("ignored");
            assertThat(wrongNode.getOutput()).isEqualTo("the event does not match pod shop/web-1: node: the event"
                    + " comes from 'node-2', the pod runs on 'node-1'");
            // the audit trail records the refusal (and not the ignored result a second time)
            List<JsonNode> trail = await().atMost(Duration.ofSeconds(10)).until(
                    () -> auditRecords(audit, wrongNode.getTraceId()),
                    r -> r.stream().anyMatch(x -> x.path("kind").asText().equals("refused")));
            assertThat(trail).filteredOn(x -> x.path("kind").asText().equals("refused")).singleElement()
                    .satisfies(x -> assertThat(x.path("reason").asText()).isEqualTo("provenance: the event does"
                            + " not match pod shop/web-1: node: the event comes from 'node-2', the pod runs on"
                            + " 'node-1'"));
            assertThat(trail).noneMatch(x -> x.path("kind").asText().equals("ignored"));
            // the right node, a container the pod does not run
            ActionResult wrongContainer = ActionnerRun.runOn(t, "node-1", "terminate", podFields("shop", "web-1",
                    "container.id", "deadbeef0000"));
            assertThat(wrongContainer.getStatus()).isEqualTo("ignored");
            assertThat(wrongContainer.getOutput()).isEqualTo("the event does not match pod shop/web-1: container:"
                    + " 'deadbeef0000' is none of the pod's containers");
            // both wrong: both said
            assertThat(ActionnerRun.runOn(t, "node-9", "label", podFields("shop", "web-1", "container.id",
                    SIDECAR.substring(1, 13))).getOutput()).contains("node: the event comes from 'node-9'")
                    .contains("; container: '" + SIDECAR.substring(1, 13) + "' is none of the pod's containers");
            // a prefix of an id that is not 12 characters long is not an id
            assertThat(ActionnerRun.runOn(t, "node-1", "label", podFields("shop", "web-1", "container.id",
                    APP.substring(0, 8))).getStatus()).isEqualTo("ignored");
            assertThat(exists("shop", "web-1")).isTrue();
            assertThat(client.pods().inNamespace("shop").withName("web-1").get().getMetadata().getLabels())
                    .doesNotContainKey("quarantine");
            assertThat(mismatches(t, "enforce")).isEqualTo(4);
            assertThat(logs.lines()).anyMatch(l -> l.contains("the event does not match pod shop/web-1")
                    && l.contains("provenance: enforce, not acting"));

            // genuine: the short id of one container, the full id of another, the init container's
            assertThat(ActionnerRun.runOn(t, "node-1", "label", podFields("shop", "web-1", "container.id",
                    SIDECAR)).getStatus()).isEqualTo("success");
            assertThat(ActionnerRun.runOn(t, "node-1", "label", podFields("shop", "web-1", "container.id",
                    INIT.substring(0, 12))).getStatus()).isEqualTo("success");
            ActionResult genuine = ActionnerRun.runOn(t, "node-1", "terminate", podFields("shop", "web-1",
                    "container.id", APP.substring(0, 12).toUpperCase()));
            assertThat(genuine.getStatus()).as(genuine.getJson()).isEqualTo("success");
            assertThat(exists("shop", "web-1")).isFalse();
            assertThat(mismatches(t, "enforce")).isEqualTo(4);
        }
    }

    @Test
    void eventsWithoutTheFieldsAreCheckedForWhatTheyCarry() throws Exception {
        pod("shop", "web-2");
        pod("shop", "web-3");
        try (TalonTestServer t = talon(null)) {
            // a Kubernetes audit event: its hostname is Falco's own pod, it has no container id; the pod must exist
            assertThat(ActionnerRun.runFrom(t, "k8s_audit", "label", podFields("shop", "web-2")).getStatus())
                    .isEqualTo("success");
            // Falco's "no value" for a host event: only the node is checked
            assertThat(ActionnerRun.runOn(t, "node-1", "label", podFields("shop", "web-2", "container.id", "<NA>"))
                    .getStatus()).isEqualTo("success");
            assertThat(ActionnerRun.runOn(t, "node-2", "label", podFields("shop", "web-3", "container.id", "<NA>"))
                    .getStatus()).isEqualTo("ignored");
            // no hostname at all: only the container is checked
            assertThat(ActionnerRun.runOn(t, "", "terminate", podFields("shop", "web-3", "container.id",
                    SIDECAR.substring(0, 12))).getStatus()).isEqualTo("success");
            assertThat(exists("shop", "web-3")).isFalse();
            assertThat(mismatches(t, "enforce")).isEqualTo(1);
        }
    }

    @Test
    void warnActsAndCountsOffDoesNotCheck() throws Exception {
        pod("warn", "web-1");
        pod("off", "web-1");
        try (LogCapture logs = LogCapture.openAtInfo(); TalonTestServer t = talon("warn")) {
            ActionResult r = ActionnerRun.runOn(t, "node-2", "terminate", podFields("warn", "web-1"));
            assertThat(r.getStatus()).isEqualTo("success");
            assertThat(exists("warn", "web-1")).isFalse();
            assertThat(mismatches(t, "warn")).isEqualTo(1);
            assertThat(logs.lines()).anyMatch(l -> l.contains("the event does not match pod warn/web-1")
                    && l.contains("provenance: warn, acting anyway"));
        }
        try (TalonTestServer t = talon("off")) {
            assertThat(ActionnerRun.runOn(t, "node-2", "terminate", podFields("off", "web-1", "container.id",
                    "deadbeef0000")).getStatus()).isEqualTo("success");
            assertThat(exists("off", "web-1")).isFalse();
            assertThat(mismatches(t, "off") + mismatches(t, "enforce") + mismatches(t, "warn")).isZero();
        }
    }

    @Test
    void aModeThatIsNoneOfTheThreeIsAConfigError() {
        var e = org.assertj.core.api.Assertions.catchThrowable(() -> org.falcosecurity.talon.config.TalonConfig
                .parse("provenance: strict\n", "c.yaml", Map.of()));
        assertThat(e).hasMessageContaining("provenance").hasMessageContaining("strict");
        assertThat(List.of("enforce", "warn", "off")).allSatisfy(m -> assertThat(org.falcosecurity.talon.config
                .TalonConfig.parse("provenance: " + m + "\n", "c.yaml", Map.of()).provenance()).isEqualTo(m));
    }
}
