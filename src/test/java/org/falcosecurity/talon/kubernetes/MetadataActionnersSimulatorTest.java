package org.falcosecurity.talon.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.KubernetesSimulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.podFields;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.run;

/** kubernetes:label, kubernetes:labelize and kubernetes:annotation through the running Talon, on the API simulator. */
class MetadataActionnersSimulatorTest {

    private static final String RULES = """
            - rule: label
              match: {rules: [label]}
              actions:
                - action: Label pod as suspicious
                  actionner: kubernetes:label
                  parameters:
                    labels:
                      falco.org/suspicious: "true"
                      quarantine: yes-now
                      app: ""
                      gone: ""
            - rule: labelize
              match: {rules: [labelize]}
              actions: [{action: l, actionner: kubernetes:labelize, parameters: {labels: {suspicious: true}}}]
            - rule: label-node
              match: {rules: [label-node]}
              actions:
                - action: l
                  actionner: kubernetes:label
                  parameters: {level: node, labels: {falco.org/compromised: "true", role: ""}}
            - rule: annotate
              match: {rules: [annotate]}
              actions:
                - action: a
                  actionner: kubernetes:annotation
                  parameters:
                    annotations:
                      falco.org/reason: "Terminal shell in container: sh -c id"
                      old-note: ""
            - rule: annotate-node
              match: {rules: [annotate-node]}
              actions:
                - action: a
                  actionner: kubernetes:annotation
                  parameters: {level: node, annotations: {falco.org/seen: "yes"}}
            """;

    @RegisterExtension
    static final KubernetesSimulator k8s = KubernetesSimulator.crud().withTalon(RULES)
            .resetBeforeEach();

    private static Pod pod(String name) {
        return k8s.client().pods().inNamespace("default").withName(name).get();
    }

    @Test
    void setsChangesAndRemovesLabelsIncludingKeysWithSlash() throws Exception {
        K8s.pod(k8s.client(), "default", "web-1", Map.of("app", "web", "quarantine", "no", "team", "a"), null);
        ActionResult r = run(k8s.talon(), "label", podFields("default", "web-1"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(pod("web-1").getMetadata().getLabels())
                .containsEntry("falco.org/suspicious", "true")
                .containsEntry("quarantine", "yes-now")
                .containsEntry("team", "a")
                .doesNotContainKey("app");
        assertThat(r.getOutput()).isEqualTo("pod default/web-1: set labels falco.org/suspicious=true,"
                + " quarantine=yes-now; removed labels app; already as wanted: gone (absent)");
        assertThat(r.getObjects()).containsEntry("pod", "web-1").containsEntry("namespace", "default")
                .doesNotContainKey("node");
        // one JSON Patch (see MetadataPatchTest for its operations)
        List<RecordedRequest> patches = ActionnerRun.requests(k8s.server(), "PATCH");
        assertThat(patches).hasSize(1);
        assertThat(patches.get(0).getHeader("Content-Type")).startsWith("application/json-patch+json");
    }

    @Test
    void aLabelActionReadsThePodOnceAndPatchesIt() throws Exception {
        K8s.node(k8s.client(), "node-1");
        K8s.pod(k8s.client(), "default", "web-8", Map.of("app", "web"), null);
        ActionnerRun.requests(k8s.server()); // the test's own calls
        assertThat(run(k8s.talon(), "label", podFields("default", "web-8")).getStatus()).isEqualTo("success");
        assertThat(calls(ActionnerRun.requests(k8s.server()))).containsExactly(
                "GET /api/v1/namespaces/default/pods/web-8", "PATCH /api/v1/namespaces/default/pods/web-8");
        // level: node reads the pod and its node, then patches the node
        assertThat(run(k8s.talon(), "label-node", podFields("default", "web-8")).getStatus()).isEqualTo("success");
        assertThat(calls(ActionnerRun.requests(k8s.server()))).containsExactly(
                "GET /api/v1/namespaces/default/pods/web-8", "GET /api/v1/nodes/node-1", "PATCH /api/v1/nodes/node-1");
    }

    /** Method and path (without the query) of the requests on pods and nodes. */
    private static List<String> calls(List<RecordedRequest> requests) {
        return requests.stream().map(r -> r.getMethod() + " " + r.getPath().split("\\?")[0])
                .filter(c -> c.contains("/pods/") || c.contains("/nodes/")).toList();
    }

    @Test
    void aSecondRunChangesNothingAndSucceeds() throws Exception {
        K8s.pod(k8s.client(), "default", "web-2", Map.of("app", "web"), null);
        assertThat(run(k8s.talon(), "label", podFields("default", "web-2")).getStatus()).isEqualTo("success");
        String version = pod("web-2").getMetadata().getResourceVersion();
        ActionResult again = run(k8s.talon(), "label", podFields("default", "web-2"));
        assertThat(again.getStatus()).isEqualTo("success");
        assertThat(again.getOutput()).isEqualTo("pod default/web-2: already as wanted: app (absent),"
                + " falco.org/suspicious=true, gone (absent), quarantine=yes-now");
        assertThat(pod("web-2").getMetadata().getResourceVersion()).isEqualTo(version);
        assertThat(ActionnerRun.requests(k8s.server(), "PATCH")).hasSize(1);
    }

    @Test
    void addsLabelsToAPodThatHasNone() throws Exception {
        k8s.client().resource(K8s.podBuilder("default", "bare", null).build()).create();
        ActionResult r = run(k8s.talon(), "labelize", podFields("default", "bare"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(pod("bare").getMetadata().getLabels()).containsExactly(Map.entry("suspicious", "true"));

    }

    @Test
    void labelizeIsTheSameActionner() throws Exception {
        K8s.pod(k8s.client(), "default", "web-3", Map.of("app", "web"), null);
        ActionResult r = run(k8s.talon(), "labelize", podFields("default", "web-3"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(r.getActionner()).isEqualTo("kubernetes:labelize");
        assertThat(pod("web-3").getMetadata().getLabels()).containsEntry("suspicious", "true")
                .containsEntry("app", "web");
    }

    @Test
    void levelNodeLabelsThePodsNode() throws Exception {
        K8s.node(k8s.client(), "node-1");
        k8s.client().nodes().withName("node-1").edit(n -> {
            n.getMetadata().getLabels().put("role", "worker");
            return n;
        });
        K8s.pod(k8s.client(), "default", "web-4", Map.of("app", "web"), null);
        ActionResult r = run(k8s.talon(), "label-node", podFields("default", "web-4"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(k8s.client().nodes().withName("node-1").get().getMetadata().getLabels())
                .containsEntry("falco.org/compromised", "true").doesNotContainKey("role")
                .containsEntry("kubernetes.io/hostname", "node-1");
        assertThat(pod("web-4").getMetadata().getLabels()).containsExactly(Map.entry("app", "web"));
        assertThat(r.getObjects()).containsEntry("node", "node-1").containsEntry("pod", "web-4");
        assertThat(r.getOutput()).startsWith("node node-1: set labels falco.org/compromised=true; removed labels role");
    }

    @Test
    void levelNodeFailsForAPodNotScheduledYet() throws Exception {
        k8s.client().resource(K8s.podBuilder("default", "pending", Map.of()).editSpec().withNodeName(null).endSpec()
                .build()).create();
        // an audit event (a syscall event from node-1 would not match a pod on no node: provenance)
        ActionResult r = ActionnerRun.runFrom(k8s.talon(), "k8s_audit", "label-node",
                podFields("default", "pending"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).isEqualTo("pod default/pending is not scheduled on a node (spec.nodeName is empty)");
    }

    @Test
    void levelNodeFailsWhenTheNodeDoesNotExist() throws Exception {
        K8s.pod(k8s.client(), "default", "web-5", Map.of(), null);
        ActionResult r = run(k8s.talon(), "label-node", podFields("default", "web-5"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).isEqualTo("node node-1 (of pod default/web-5) not found");
    }

    @Test
    void setsAndRemovesAnnotations() throws Exception {
        k8s.client().resource(K8s.podBuilder("default", "web-6", Map.of()).editMetadata()
                .addToAnnotations("old-note", "x").addToAnnotations("keep", "y").endMetadata().build()).create();
        ActionResult r = run(k8s.talon(), "annotate", podFields("default", "web-6"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(pod("web-6").getMetadata().getAnnotations())
                .containsEntry("falco.org/reason", "Terminal shell in container: sh -c id")
                .containsEntry("keep", "y").doesNotContainKey("old-note");
        assertThat(r.getOutput()).isEqualTo("pod default/web-6: set annotations falco.org/reason=Terminal shell in"
                + " container: sh -c id; removed annotations old-note");
    }

    @Test
    void annotatesTheNode() throws Exception {
        K8s.node(k8s.client(), "node-1");
        K8s.pod(k8s.client(), "default", "web-7", Map.of(), null);
        ActionResult r = run(k8s.talon(), "annotate-node", podFields("default", "web-7"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(k8s.client().nodes().withName("node-1").get().getMetadata().getAnnotations())
                .containsEntry("falco.org/seen", "yes");
        assertThat(r.getObjects()).containsEntry("node", "node-1");
    }

    @Test
    void missingPodIsAFailure() throws Exception {
        for (String rule : new String[] {"label", "annotate"}) {
            ActionResult r = run(k8s.talon(), rule, podFields("default", "nowhere"));
            assertThat(r.getStatus()).isEqualTo("failure");
            assertThat(r.getError()).isEqualTo("pod nowhere not found in namespace default");
        }
    }

    @Test
    void missingFieldsAreFailures() throws Exception {
        assertThat(run(k8s.talon(), "label", Map.of("k8s.ns.name", "default")).getError())
                .isEqualTo("the event has no pod name: missing field k8s.pod.name (or ka.target.pod.name /"
                        + " ka.target.name)");
        assertThat(run(k8s.talon(), "annotate", Map.of("k8s.pod.name", "x")).getError())
                .isEqualTo("the event has no namespace: missing field k8s.ns.name (or ka.target.namespace)");
    }
}
