package org.falcosecurity.talon.kubernetes;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.KubernetesSimulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.podFields;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.run;

/** kubernetes:networkpolicy through the running Talon, against the fabric8 API simulator. */
class NetworkPolicyActionnerSimulatorTest {

    private static final String RULES = """
            - rule: deny
              match: {rules: [deny]}
              actions: [{action: n, actionner: kubernetes:networkpolicy}]
            - rule: allow
              match: {rules: [allow]}
              actions:
                - action: n
                  actionner: kubernetes:networkpolicy
                  parameters:
                    allow: ["10.0.0.0/8"]
                    allow_cidr: ["192.168.1.0/24", "10.0.0.0/8", "fd00::/8"]
                    allow_namespaces: [kube-system, monitoring]
            """;

    @RegisterExtension
    static final KubernetesSimulator k8s = KubernetesSimulator.crud().withTalon(RULES)
            .resetBeforeEach();

    private static NetworkPolicy policy(String ns, String name) {
        return k8s.client().network().v1().networkPolicies().inNamespace(ns).withName(name).get();
    }

    /** A pod of Deployment "web": pod → ReplicaSet web-5d8f → Deployment web. */
    private static void deploymentPod(String pod) {
        K8s.deployment(k8s.client(), "shop", "web", Map.of("app", "web"));
        K8s.replicaSet(k8s.client(), "shop", "web-5d8f", 3, 3, Map.of("app", "web", "pod-template-hash", "5d8f"),
                K8s.owner("Deployment", "web"));
        K8s.pod(k8s.client(), "shop", pod, Map.of("app", "web", "pod-template-hash", "5d8f"),
                K8s.owner("ReplicaSet", "web-5d8f"));
    }

    @Test
    void deniesAllEgressOfTheDeploymentsPods() throws Exception {
        deploymentPod("web-5d8f-aaaa");
        ActionResult r = run(k8s.talon(), "deny", podFields("shop", "web-5d8f-aaaa"));
        assertThat(r.getStatus()).isEqualTo("success");
        NetworkPolicy p = policy("shop", "falco-talon-web");
        assertThat(p).isNotNull();
        assertThat(p.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "falco-talon");
        assertThat(p.getSpec().getPodSelector().getMatchLabels()).containsExactly(Map.entry("app", "web"));
        assertThat(p.getSpec().getPolicyTypes()).containsExactly("Egress");
        assertThat(p.getSpec().getEgress()).isEmpty();
        assertThat(p.getSpec().getIngress()).isEmpty();
        assertThat(r.getObjects()).containsEntry("networkpolicy", "falco-talon-web").containsEntry("pod", "web-5d8f-aaaa")
                .containsEntry("namespace", "shop");
        assertThat(r.getOutput()).isEqualTo("NetworkPolicy shop/falco-talon-web created: egress of Deployment web"
                + " denied except to nothing (all egress denied)");
    }

    @Test
    void allowsTheGivenCidrsAndNamespacesByTheirMetadataNameLabel() throws Exception {
        deploymentPod("web-5d8f-bbbb");
        ActionResult r = run(k8s.talon(), "allow", podFields("shop", "web-5d8f-bbbb"));
        assertThat(r.getStatus()).isEqualTo("success");
        NetworkPolicy p = policy("shop", "falco-talon-web");
        assertThat(p.getSpec().getEgress()).hasSize(1);
        List<NetworkPolicyPeer> to = p.getSpec().getEgress().get(0).getTo();
        assertThat(to).extracting(t -> t.getIpBlock() == null ? null : t.getIpBlock().getCidr())
                .containsExactly("10.0.0.0/8", "192.168.1.0/24", "fd00::/8", null, null);
        assertThat(to.get(3).getNamespaceSelector().getMatchLabels())
                .containsExactly(Map.entry("kubernetes.io/metadata.name", "kube-system"));
        assertThat(to.get(4).getNamespaceSelector().getMatchLabels())
                .containsExactly(Map.entry("kubernetes.io/metadata.name", "monitoring"));
        assertThat(p.getSpec().getEgress().get(0).getPorts()).isEmpty();
        assertThat(r.getOutput()).endsWith("denied except to 10.0.0.0/8, 192.168.1.0/24, fd00::/8,"
                + " namespace kube-system, namespace monitoring");
    }

    @Test
    void updatesThePolicyItCreatedAndIsIdempotent() throws Exception {
        deploymentPod("web-5d8f-cccc");
        assertThat(run(k8s.talon(), "deny", podFields("shop", "web-5d8f-cccc")).getOutput()).contains(" created: ");
        ActionResult updated = run(k8s.talon(), "allow", podFields("shop", "web-5d8f-cccc"));
        assertThat(updated.getStatus()).isEqualTo("success");
        assertThat(updated.getOutput()).contains(" updated: ");
        assertThat(policy("shop", "falco-talon-web").getSpec().getEgress()).hasSize(1);

        ActionResult again = run(k8s.talon(), "allow", podFields("shop", "web-5d8f-cccc"));
        assertThat(again.getStatus()).isEqualTo("success");
        assertThat(again.getOutput()).contains(" already in place: ");
        assertThat(k8s.client().network().v1().networkPolicies().inNamespace("shop").list().getItems()).hasSize(1);
    }

    @Test
    void refusesToChangeAPolicyItDoesNotManage() throws Exception {
        deploymentPod("web-5d8f-dddd");
        k8s.client().resource(new NetworkPolicyBuilder().withNewMetadata().withNamespace("shop")
                .withName("falco-talon-web").endMetadata().withNewSpec().withNewPodSelector().endPodSelector()
                .withPolicyTypes("Ingress").endSpec().build()).create();
        ActionResult r = run(k8s.talon(), "deny", podFields("shop", "web-5d8f-dddd"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).isEqualTo("NetworkPolicy shop/falco-talon-web exists and is not managed by Falco"
                + " Talon (no label app.kubernetes.io/managed-by=falco-talon): not changing it");
        assertThat(policy("shop", "falco-talon-web").getSpec().getPolicyTypes()).containsExactly("Ingress");
    }

    @Test
    void daemonSetAndStatefulSetPodsUseTheirOwnersSelector() throws Exception {
        K8s.daemonSet(k8s.client(), "infra", "agent", 3, 3, Map.of("app", "agent", "tier", "node"));
        K8s.pod(k8s.client(), "infra", "agent-x1",
                Map.of("app", "agent", "tier", "node", "controller-revision-hash", "1"),
                K8s.owner("DaemonSet", "agent"));
        assertThat(run(k8s.talon(), "deny", podFields("infra", "agent-x1")).getStatus()).isEqualTo("success");
        assertThat(policy("infra", "falco-talon-agent").getSpec().getPodSelector().getMatchLabels())
                .isEqualTo(Map.of("app", "agent", "tier", "node"));

        K8s.statefulSet(k8s.client(), "infra", "db", 3, 3, Map.of("app", "db"));
        K8s.pod(k8s.client(), "infra", "db-0", Map.of("app", "db", "statefulset.kubernetes.io/pod-name", "db-0"),
                K8s.owner("StatefulSet", "db"));
        assertThat(run(k8s.talon(), "deny", podFields("infra", "db-0")).getOutput())
                .contains("egress of StatefulSet db");
        assertThat(policy("infra", "falco-talon-db").getSpec().getPodSelector().getMatchLabels())
                .isEqualTo(Map.of("app", "db"));
    }

    @Test
    void aReplicaSetWithoutDeploymentUsesItsOwnSelector() throws Exception {
        K8s.replicaSet(k8s.client(), "shop", "batch", 2, 2, Map.of("app", "batch"), null);
        K8s.pod(k8s.client(), "shop", "batch-1", Map.of("app", "batch"), K8s.owner("ReplicaSet", "batch"));
        ActionResult r = run(k8s.talon(), "deny", podFields("shop", "batch-1"));
        assertThat(r.getOutput()).contains("falco-talon-batch created: egress of ReplicaSet batch");
        assertThat(policy("shop", "falco-talon-batch").getSpec().getPodSelector().getMatchLabels())
                .isEqualTo(Map.of("app", "batch"));
    }

    @Test
    void aStandalonePodIsSelectedByItsOwnLabels() throws Exception {
        K8s.pod(k8s.client(), "shop", "debug", Map.of("app", "debug", "run", "debug"), null);
        ActionResult r = run(k8s.talon(), "deny", podFields("shop", "debug"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(r.getOutput()).contains("egress of pod debug");
        assertThat(policy("shop", "falco-talon-debug").getSpec().getPodSelector().getMatchLabels())
                .isEqualTo(Map.of("app", "debug", "run", "debug"));
    }

    @Test
    void aStandalonePodWithoutLabelsIsAFailureNotAPolicyOnTheWholeNamespace() throws Exception {
        k8s.client().resource(K8s.podBuilder("shop", "naked", null).build()).create();
        ActionResult r = run(k8s.talon(), "deny", podFields("shop", "naked"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).contains("has no owner and no labels");
        assertThat(k8s.client().network().v1().networkPolicies().inNamespace("shop").list().getItems()).isEmpty();
    }

    @Test
    void aMissingDeploymentIsAFailure() throws Exception {
        K8s.replicaSet(k8s.client(), "shop", "api-77", 1, 1, Map.of("app", "api"), K8s.owner("Deployment", "api"));
        K8s.pod(k8s.client(), "shop", "api-77-x", Map.of("app", "api"), K8s.owner("ReplicaSet", "api-77"));
        ActionResult r = run(k8s.talon(), "deny", podFields("shop", "api-77-x"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).isEqualTo("Deployment api, owner of ReplicaSet api-77, not found in namespace shop");
    }

    @Test
    void missingPodAndFieldsAreFailures() throws Exception {
        assertThat(run(k8s.talon(), "deny", podFields("shop", "nope")).getError())
                .isEqualTo("pod nope not found in namespace shop");
        assertThat(run(k8s.talon(), "deny", Map.of("k8s.pod.name", "x")).getError())
                .contains("missing field k8s.ns.name");
    }
}
