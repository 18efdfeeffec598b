package org.falcosecurity.talon.kubernetes;

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

/** kubernetes:terminate through the running Talon, against the fabric8 API simulator. */
class TerminateActionnerSimulatorTest {

    private static final String RULES = """
            - rule: plain
              match: {rules: [plain]}
              actions: [{action: t, actionner: kubernetes:terminate}]
            - rule: grace
              match: {rules: [grace]}
              actions: [{action: t, actionner: kubernetes:terminate, parameters: {grace_period_seconds: 7}}]
            - rule: skip-ds
              match: {rules: [skip-ds]}
              actions: [{action: t, actionner: kubernetes:terminate, parameters: {ignore_daemonsets: true}}]
            - rule: skip-sts
              match: {rules: [skip-sts]}
              actions: [{action: t, actionner: kubernetes:terminate, parameters: {ignore_statefulsets: true}}]
            - rule: skip-standalone
              match: {rules: [skip-standalone]}
              actions: [{action: t, actionner: kubernetes:terminate, parameters: {ignore_standalone_pods: true}}]
            - rule: min-2
              match: {rules: [min-2]}
              actions: [{action: t, actionner: kubernetes:terminate, parameters: {min_healthy_replicas: 2}}]
            - rule: min-pct
              match: {rules: [min-pct]}
              actions: [{action: t, actionner: kubernetes:terminate, parameters: {min_healthy_replicas: "50%"}}]
            """;

    @RegisterExtension
    static final KubernetesSimulator k8s = KubernetesSimulator.crud().withTalon(RULES)
            .resetBeforeEach();

    @Test
    void deletesThePodAndNamesIt() throws Exception {
        K8s.pod(k8s.client(), "default", "web-1", Map.of("app", "web"), null);
        ActionResult r = run(k8s.talon(), "plain", podFields("default", "web-1"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(r.getOutput()).isEqualTo("pod default/web-1 terminated (the pod's own grace period)");
        assertThat(r.getObjects()).containsEntry("pod", "web-1").containsEntry("namespace", "default");
        assertThat(k8s.client().pods().inNamespace("default").withName("web-1").get()).isNull();
    }

    @Test
    void passesTheGracePeriod() throws Exception {
        K8s.pod(k8s.client(), "default", "web-2", Map.of("app", "web"), null);
        ActionResult r = run(k8s.talon(), "grace", podFields("default", "web-2"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(r.getOutput()).contains("grace period 7 s");
        List<RecordedRequest> deletes = ActionnerRun.requests(k8s.server(), "DELETE");
        assertThat(deletes).hasSize(1);
        assertThat(deletes.get(0).getPath()).isEqualTo("/api/v1/namespaces/default/pods/web-2");
        assertThat(deletes.get(0).getUtf8Body()).contains("\"gracePeriodSeconds\":7");
        assertThat(k8s.client().pods().inNamespace("default").withName("web-2").get()).isNull();
    }

    @Test
    void aPodAlreadyGoneIsIgnored() throws Exception {
        ActionResult r = run(k8s.talon(), "plain", podFields("default", "gone"));
        assertThat(r.getStatus()).isEqualTo("ignored");
        assertThat(r.getOutput()).isEqualTo("pod default/gone not found: already gone");
        assertThat(r.getError()).isEmpty();
    }

    @Test
    void daemonSetPodsAreSkippedWithIgnoreDaemonsets() throws Exception {
        K8s.pod(k8s.client(), "agents", "agent-x", Map.of("app", "agent"), K8s.owner("DaemonSet", "agent"));
        ActionResult r = run(k8s.talon(), "skip-ds", podFields("agents", "agent-x"));
        assertThat(r.getStatus()).isEqualTo("ignored");
        assertThat(r.getOutput()).isEqualTo("pod agents/agent-x not terminated: it belongs to DaemonSet agent"
                + " and ignore_daemonsets is true");
        assertThat(k8s.client().pods().inNamespace("agents").withName("agent-x").get()).isNotNull();

        // without the parameter, the same pod is terminated
        ActionResult plain = run(k8s.talon(), "plain", podFields("agents", "agent-x"));
        assertThat(plain.getStatus()).isEqualTo("success");
        assertThat(k8s.client().pods().inNamespace("agents").withName("agent-x").get()).isNull();
    }

    @Test
    void statefulSetPodsAreSkippedWithIgnoreStatefulsets() throws Exception {
        K8s.pod(k8s.client(), "db", "pg-0", Map.of("app", "pg"), K8s.owner("StatefulSet", "pg"));
        ActionResult r = run(k8s.talon(), "skip-sts", podFields("db", "pg-0"));
        assertThat(r.getStatus()).isEqualTo("ignored");
        assertThat(r.getOutput()).contains("it belongs to StatefulSet pg and ignore_statefulsets is true");
        assertThat(k8s.client().pods().inNamespace("db").withName("pg-0").get()).isNotNull();

        // ignore_statefulsets does not protect a DaemonSet pod
        K8s.pod(k8s.client(), "db", "agent-y", Map.of(), K8s.owner("DaemonSet", "agent"));
        assertThat(run(k8s.talon(), "skip-sts", podFields("db", "agent-y")).getStatus()).isEqualTo("success");
    }

    @Test
    void standalonePodsAreSkippedWithIgnoreStandalonePods() throws Exception {
        K8s.pod(k8s.client(), "default", "lonely", Map.of(), null);
        ActionResult r = run(k8s.talon(), "skip-standalone", podFields("default", "lonely"));
        assertThat(r.getStatus()).isEqualTo("ignored");
        assertThat(r.getOutput()).contains("it is a standalone pod (no owner) and ignore_standalone_pods is true");
        assertThat(k8s.client().pods().inNamespace("default").withName("lonely").get()).isNotNull();

        // a pod with an owner is not standalone
        K8s.replicaSet(k8s.client(), "default", "web-abc", 3, 3, Map.of("app", "web"), null);
        K8s.pod(k8s.client(), "default", "web-abc-1", Map.of("app", "web"), K8s.owner("ReplicaSet", "web-abc"));
        assertThat(run(k8s.talon(), "skip-standalone", podFields("default", "web-abc-1")).getStatus())
                .isEqualTo("success");
    }

    @Test
    void minHealthyReplicasAsACount() throws Exception {
        K8s.replicaSet(k8s.client(), "default", "few", 3, 1, Map.of("app", "few"), null);
        K8s.pod(k8s.client(), "default", "few-1", Map.of("app", "few"), K8s.owner("ReplicaSet", "few"));
        ActionResult r = run(k8s.talon(), "min-2", podFields("default", "few-1"));
        assertThat(r.getStatus()).isEqualTo("ignored");
        assertThat(r.getOutput()).isEqualTo("pod default/few-1 not terminated: ReplicaSet few has 1 ready"
                + " replica(s), fewer than the 2 required by min_healthy_replicas 2");
        assertThat(k8s.client().pods().inNamespace("default").withName("few-1").get()).isNotNull();

        K8s.replicaSet(k8s.client(), "default", "enough", 3, 2, Map.of("app", "enough"), null);
        K8s.pod(k8s.client(), "default", "enough-1", Map.of("app", "enough"), K8s.owner("ReplicaSet", "enough"));
        assertThat(run(k8s.talon(), "min-2", podFields("default", "enough-1")).getStatus()).isEqualTo("success");
        assertThat(k8s.client().pods().inNamespace("default").withName("enough-1").get()).isNull();
    }

    @Test
    void minHealthyReplicasAsAPercentageOfDesiredRoundedUp() throws Exception {
        // 50% of 3 desired is 1.5, rounded up to 2: 1 ready is not enough (the Go project compared 1 with 50)
        K8s.statefulSet(k8s.client(), "db", "pg", 3, 1, Map.of("app", "pg"));
        K8s.pod(k8s.client(), "db", "pg-1", Map.of("app", "pg"), K8s.owner("StatefulSet", "pg"));
        ActionResult r = run(k8s.talon(), "min-pct", podFields("db", "pg-1"));
        assertThat(r.getStatus()).isEqualTo("ignored");
        assertThat(r.getOutput()).contains("StatefulSet pg has 1 ready replica(s), fewer than the 2 required by"
                + " min_healthy_replicas 50% of 3 desired");

        K8s.daemonSet(k8s.client(), "db", "agent", 4, 2, Map.of("app", "agent"));
        K8s.pod(k8s.client(), "db", "agent-1", Map.of("app", "agent"), K8s.owner("DaemonSet", "agent"));
        assertThat(run(k8s.talon(), "min-pct", podFields("db", "agent-1")).getStatus()).isEqualTo("success");
    }

    @Test
    void minHealthyReplicasFailsWhenTheOwnerIsMissing() throws Exception {
        K8s.pod(k8s.client(), "default", "orphan-1", Map.of(), K8s.owner("ReplicaSet", "vanished"));
        ActionResult r = run(k8s.talon(), "min-2", podFields("default", "orphan-1"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).isEqualTo("ReplicaSet vanished, owner of pod default/orphan-1, not found");
        assertThat(k8s.client().pods().inNamespace("default").withName("orphan-1").get()).isNotNull();
    }

    @Test
    void missingPodNameIsAFailureNamingTheFields() throws Exception {
        ActionResult r = run(k8s.talon(), "plain", Map.of("k8s.ns.name", "default", "proc.name", "sh"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).isEqualTo("the event has no pod name: missing field k8s.pod.name"
                + " (or ka.target.pod.name / ka.target.name)");
    }

    @Test
    void falcosNotAvailableMarkerIsNoValue() throws Exception {
        ActionResult r = run(k8s.talon(), "plain", Map.of("k8s.pod.name", "<NA>", "k8s.ns.name", "<NA>"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).startsWith("the event has no pod name: missing field k8s.pod.name");
    }

    @Test
    void missingNamespaceIsAFailureNamingTheFields() throws Exception {
        ActionResult r = run(k8s.talon(), "plain", Map.of("k8s.pod.name", "web-1"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).isEqualTo("the event has no namespace: missing field k8s.ns.name"
                + " (or ka.target.namespace)");
    }

    @Test
    void auditEventsNameThePodWithKaTargetFields() throws Exception {
        K8s.pod(k8s.client(), "team-a", "exec-target", Map.of(), null);
        ActionResult r = run(k8s.talon(), "plain", Map.of("ka.target.resource", "pods", "ka.target.name", "exec-target",
                "ka.target.namespace", "team-a"));
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(k8s.client().pods().inNamespace("team-a").withName("exec-target").get()).isNull();
    }

    @Test
    void anAuditEventAboutAnotherKindIsNotTakenForAPod() throws Exception {
        K8s.pod(k8s.client(), "team-a", "settings", Map.of(), null);
        ActionResult r = run(k8s.talon(), "plain", Map.of("ka.target.resource", "configmaps",
                "ka.target.name", "settings", "ka.target.namespace", "team-a"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).startsWith("the event targets configmaps 'settings', not a pod");
        assertThat(k8s.client().pods().inNamespace("team-a").withName("settings").get()).isNotNull();
    }
}
