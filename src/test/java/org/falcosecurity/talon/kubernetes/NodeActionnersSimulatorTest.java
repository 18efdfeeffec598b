package org.falcosecurity.talon.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.KubernetesSimulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.podFields;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.run;

/**
 * kubernetes:cordon and kubernetes:drain through the running Talon. The simulator keeps pods and nodes (CRUD);
 * the node's pod list (a field selector it does not evaluate) and the Eviction API are answered by expectation.
 */
class NodeActionnersSimulatorTest {

    private static final String RULES = """
            - rule: cordon
              match: {rules: [cordon]}
              actions: [{action: c, actionner: kubernetes:cordon}]
            - rule: drain
              match: {rules: [drain]}
              actions: [{action: d, actionner: kubernetes:drain}]
            - rule: drain-careful
              match: {rules: [drain-careful]}
              actions:
                - action: d
                  actionner: kubernetes:drain
                  parameters: {ignore_daemonsets: true, ignore_statefulsets: true, min_healthy_replicas: "50%"}
            - rule: drain-wait
              match: {rules: [drain-wait]}
              actions: [{action: d, actionner: kubernetes:drain, parameters: {max_wait_period: 10}}]
            - rule: drain-short-wait
              match: {rules: [drain-short-wait]}
              actions: [{action: d, actionner: kubernetes:drain, parameters: {max_wait_period: 1}}]
            """;

    @RegisterExtension
    static final KubernetesSimulator k8s = KubernetesSimulator.crud()
            .withTalon(b -> b.rules(RULES).property("talon.kubernetes.drain-poll-ms", "100"))
            .resetBeforeEach();

    private static boolean unschedulable(String node) {
        return Boolean.TRUE.equals(k8s.client().nodes().withName(node).get().getSpec().getUnschedulable());
    }

    /** Answers the node's pod list (spec.nodeName field selector) with the pods the simulator holds for it. */
    private static void expectNodePods(String node) {
        List<Pod> pods = k8s.client().pods().inAnyNamespace().list().getItems().stream()
                .filter(p -> node.equals(p.getSpec().getNodeName())).toList();
        k8s.server().expect().get().withPath("/api/v1/pods?fieldSelector=spec.nodeName%3D" + node)
                .andReturn(200, new PodListBuilder().withItems(pods).build()).always();
    }

    private static String evictionPath(String ns, String pod) {
        return "/api/v1/namespaces/" + ns + "/pods/" + pod + "/eviction";
    }

    /** Accepts the eviction; with {@code deleteAfterMs} >= 0 the pod then goes away, as the kubelet would make it. */
    private static void expectEviction(String ns, String pod, long deleteAfterMs) {
        k8s.server().expect().post().withPath(evictionPath(ns, pod)).andReply(201, req -> {
            if (deleteAfterMs >= 0) {
                CompletableFuture.runAsync(() -> k8s.client().pods().inNamespace(ns).withName(pod).delete(),
                        CompletableFuture.delayedExecutor(deleteAfterMs, TimeUnit.MILLISECONDS));
            }
            return new StatusBuilder().withStatus("Success").withCode(201).build();
        }).always();
    }

    private static List<String> evictions() throws InterruptedException {
        return ActionnerRun.requests(k8s.server(), "POST").stream().map(RecordedRequest::getPath)
                .filter(p -> p.endsWith("/eviction")).toList();
    }

    @Test
    void cordonMarksThePodsNodeUnschedulable() throws Exception {
        K8s.node(k8s.client(), "node-1");
        K8s.pod(k8s.client(), "default", "web-1", Map.of(), null);
        ActionResult r = run(k8s.talon(), "cordon", podFields("default", "web-1"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(r.getOutput()).isEqualTo("node node-1 cordoned (unschedulable)");
        assertThat(r.getObjects()).containsEntry("node", "node-1").containsEntry("pod", "web-1");
        assertThat(unschedulable("node-1")).isTrue();

        ActionResult again = run(k8s.talon(), "cordon", podFields("default", "web-1"));
        assertThat(again.getStatus()).isEqualTo("success");
        assertThat(again.getOutput()).isEqualTo("node node-1 already unschedulable");
        assertThat(ActionnerRun.requests(k8s.server(), "PATCH")).hasSize(1);
    }

    @Test
    void cordonFailures() throws Exception {
        assertThat(run(k8s.talon(), "cordon", podFields("default", "absent")).getError())
                .isEqualTo("pod absent not found in namespace default");
        K8s.pod(k8s.client(), "default", "web-2", Map.of(), null);
        assertThat(run(k8s.talon(), "cordon", podFields("default", "web-2")).getError())
                .isEqualTo("node node-1 (of pod default/web-2) not found");
        k8s.client().resource(K8s.podBuilder("default", "pending", Map.of()).editSpec().withNodeName(null).endSpec()
                .build()).create();
        // a syscall event comes from a node: a pod on none cannot have sent it (provenance)
        assertThat(run(k8s.talon(), "cordon", podFields("default", "pending")).getOutput())
                .isEqualTo("the event does not match pod default/pending: node: the event comes from 'node-1', the"
                        + " pod runs on no node");
        // an audit event's hostname is Falco's own: only the pod is checked, and it is on no node
        assertThat(ActionnerRun.runFrom(k8s.talon(), "k8s_audit", "cordon", podFields("default", "pending"))
                .getError())
                .isEqualTo("pod default/pending is not scheduled on a node (spec.nodeName is empty)");
        assertThat(run(k8s.talon(), "cordon", Map.of("k8s.ns.name", "default")).getError())
                .contains("missing field k8s.pod.name");
    }

    @Test
    void drainCordonsAndEvictsEveryPodOfTheNode() throws Exception {
        K8s.node(k8s.client(), "node-1");
        K8s.node(k8s.client(), "node-2");
        K8s.pod(k8s.client(), "default", "web-1", Map.of(), null);
        K8s.pod(k8s.client(), "shop", "api-1", Map.of(), null);
        k8s.client().resource(K8s.podBuilder("default", "elsewhere", Map.of()).editSpec().withNodeName("node-2")
                .endSpec().build()).create();
        expectNodePods("node-1");
        expectEviction("default", "web-1", -1);
        expectEviction("shop", "api-1", -1);
        ActionResult r = run(k8s.talon(), "drain", podFields("default", "web-1"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(r.getOutput()).isEqualTo("node node-1 cordoned; evicted 2 pod(s): default/web-1, shop/api-1");
        assertThat(r.getObjects()).containsEntry("node", "node-1");
        assertThat(unschedulable("node-1")).isTrue();
        assertThat(unschedulable("node-2")).isFalse();
        assertThat(evictions()).containsExactlyInAnyOrder(evictionPath("default", "web-1"),
                evictionPath("shop", "api-1"));
    }

    @Test
    void drainSkipsStaticFinishedDaemonSetStatefulSetAndUnderReplicatedPods() throws Exception {
        K8s.node(k8s.client(), "node-1");
        K8s.pod(k8s.client(), "default", "web-1", Map.of(), null);
        k8s.client().resource(K8s.podBuilder("kube-system", "etcd-node-1", Map.of()).editMetadata()
                .addToAnnotations("kubernetes.io/config.mirror", "abc").endMetadata().build()).create();
        k8s.client().resource(K8s.podBuilder("default", "job-done", Map.of()).editStatus().withPhase("Succeeded")
                .endStatus().build()).create();
        K8s.pod(k8s.client(), "kube-system", "agent-1", Map.of(), K8s.owner("DaemonSet", "agent"));
        K8s.pod(k8s.client(), "db", "pg-0", Map.of(), K8s.owner("StatefulSet", "pg"));
        K8s.replicaSet(k8s.client(), "shop", "thin", 4, 1, Map.of("app", "thin"), null);
        K8s.pod(k8s.client(), "shop", "thin-1", Map.of("app", "thin"), K8s.owner("ReplicaSet", "thin"));
        K8s.replicaSet(k8s.client(), "shop", "fat", 4, 4, Map.of("app", "fat"), null);
        K8s.pod(k8s.client(), "shop", "fat-1", Map.of("app", "fat"), K8s.owner("ReplicaSet", "fat"));
        expectNodePods("node-1");
        expectEviction("default", "web-1", -1);
        expectEviction("shop", "fat-1", -1);
        ActionResult r = run(k8s.talon(), "drain-careful", podFields("default", "web-1"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(r.getOutput()).startsWith("node node-1 cordoned; evicted 2 pod(s): ")
                .contains("default/web-1", "shop/fat-1")
                .contains("skipped 5: ")
                .contains("kube-system/etcd-node-1 (static pod)")
                .contains("default/job-done (finished)")
                .contains("kube-system/agent-1 (DaemonSet pod, ignore_daemonsets)")
                .contains("db/pg-0 (StatefulSet pod, ignore_statefulsets)")
                .contains("shop/thin-1 (ReplicaSet thin has 1 ready replica(s), fewer than the 2 required by"
                        + " min_healthy_replicas 50% of 4 desired)");
        assertThat(evictions()).containsExactlyInAnyOrder(evictionPath("default", "web-1"),
                evictionPath("shop", "fat-1"));
    }

    @Test
    void withoutTheIgnoreParametersDaemonSetAndStatefulSetPodsAreEvictedToo() throws Exception {
        K8s.node(k8s.client(), "node-1");
        K8s.pod(k8s.client(), "monitoring", "agent-1", Map.of(), K8s.owner("DaemonSet", "agent"));
        K8s.pod(k8s.client(), "db", "pg-0", Map.of(), K8s.owner("StatefulSet", "pg"));
        // a kube-system pod is never evicted: it is protected
        K8s.pod(k8s.client(), "kube-system", "coredns-1", Map.of(), K8s.owner("ReplicaSet", "coredns"));
        expectNodePods("node-1");
        expectEviction("monitoring", "agent-1", -1);
        expectEviction("db", "pg-0", -1);
        ActionResult r = run(k8s.talon(), "drain", podFields("db", "pg-0"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(evictions()).hasSize(2);
        assertThat(r.getOutput()).endsWith("; skipped 1: kube-system/coredns-1 (protected)");
    }

    @Test
    void anEvictionRefusedByADisruptionBudgetIsAFailureNamingThePod() throws Exception {
        K8s.node(k8s.client(), "node-1");
        K8s.pod(k8s.client(), "default", "web-1", Map.of(), null);
        K8s.pod(k8s.client(), "default", "guarded", Map.of(), null);
        expectNodePods("node-1");
        expectEviction("default", "web-1", -1);
        k8s.server().expect().post().withPath(evictionPath("default", "guarded")).andReturn(429, new StatusBuilder()
                .withStatus("Failure").withCode(429).withReason("TooManyRequests")
                .withMessage("Cannot evict pod as it would violate the pod's disruption budget.").build()).always();
        ActionResult r = run(k8s.talon(), "drain", podFields("default", "web-1"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).isEqualTo("could not evict 1 pod(s) from node node-1: default/guarded (refused: it"
                + " would violate a PodDisruptionBudget)");
        assertThat(r.getOutput()).isEqualTo("node node-1 cordoned; evicted 1 pod(s): default/web-1");
        assertThat(r.getObjects()).containsEntry("node", "node-1");
        // asked once: with max_wait_period 0 a refusal is reported, not retried (by Talon or by the client)
        assertThat(evictions()).containsExactlyInAnyOrder(evictionPath("default", "web-1"),
                evictionPath("default", "guarded"));
    }

    @Test
    void maxWaitPeriodRetriesRefusedEvictionsAndWaitsForThePodsToBeGone() throws Exception {
        K8s.node(k8s.client(), "node-1");
        K8s.pod(k8s.client(), "default", "web-1", Map.of(), null);
        K8s.pod(k8s.client(), "default", "guarded", Map.of(), null);
        expectNodePods("node-1");
        expectEviction("default", "web-1", 300);
        // the budget refuses twice, then lets the eviction through
        k8s.server().expect().post().withPath(evictionPath("default", "guarded")).andReturn(429, new StatusBuilder()
                .withStatus("Failure").withCode(429).build()).times(2);
        expectEviction("default", "guarded", 100);
        ActionResult r = run(k8s.talon(), "drain-wait", podFields("default", "web-1"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(r.getOutput()).isEqualTo("node node-1 cordoned; evicted 2 pod(s): default/web-1, default/guarded");
        String guarded = evictionPath("default", "guarded");
        assertThat(evictions()).containsExactly(evictionPath("default", "web-1"), guarded, guarded, guarded);
        assertThat(k8s.client().pods().inNamespace("default").list().getItems()).isEmpty();
    }

    @Test
    void podsStillThereAfterMaxWaitPeriodAreAFailure() throws Exception {
        K8s.node(k8s.client(), "node-1");
        K8s.pod(k8s.client(), "default", "slow", Map.of(), null);
        expectNodePods("node-1");
        expectEviction("default", "slow", -1);
        ActionResult r = run(k8s.talon(), "drain-short-wait", podFields("default", "slow"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).isEqualTo("1 evicted pod(s) still on node node-1 after max_wait_period 1 s:"
                + " default/slow");
    }

    @Test
    void drainWithNothingToEvictSucceeds() throws Exception {
        K8s.node(k8s.client(), "node-1");
        k8s.client().resource(K8s.podBuilder("edge", "proxy-node-1", Map.of()).editMetadata()
                .addToAnnotations("kubernetes.io/config.mirror", "abc").endMetadata().build()).create();
        expectNodePods("node-1");
        ActionResult r = run(k8s.talon(), "drain", podFields("edge", "proxy-node-1"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(r.getOutput()).isEqualTo("node node-1 cordoned; evicted 0 pod(s); skipped 1:"
                + " edge/proxy-node-1 (static pod)");
    }

    @Test
    void drainFailures() throws Exception {
        assertThat(run(k8s.talon(), "drain", podFields("default", "absent")).getError())
                .isEqualTo("pod absent not found in namespace default");
        assertThat(run(k8s.talon(), "drain", Map.of("k8s.pod.name", "x")).getError())
                .contains("missing field k8s.ns.name");
        K8s.pod(k8s.client(), "default", "web-9", Map.of(), null);
        assertThat(run(k8s.talon(), "drain", podFields("default", "web-9")).getError())
                .isEqualTo("node node-1 (of pod default/web-9) not found");
    }
}
