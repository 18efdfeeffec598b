package org.falcosecurity.talon.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.podFields;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.run;

/**
 * Item 7 of "secure by default", through the running Talon against the fabric8 API simulator: the objects a forged
 * event could use to take the cluster's keys or turn Talon off survive every actionner that could harm them —
 * Kubernetes' own namespaces and roles, Talon's own pod, namespace, service account, ClusterRole and Secret, and the
 * configured {@code protected.*} — each refusal {@code ignored} with its reason and counted; an unprotected object
 * still is acted on.
 */
@EnableKubernetesMockClient(crud = true)
class ProtectedObjectsSimulatorTest {

    static KubernetesClient client;
    static KubernetesMockServer server;
    private static TalonTestServer talon;
    private static Path auditFile;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TALON_NS = "falco";
    private static final String TALON_POD = "falco-talon-7d9f8c6b5-x2x9k";
    private static final String TALON_SA = "falco-talon";

    private static final String RULES = """
            - rule: delete
              match: {rules: [delete]}
              actions: [{action: d, actionner: kubernetes:delete}]
            - rule: terminate
              match: {rules: [terminate]}
              actions: [{action: t, actionner: kubernetes:terminate}]
            - rule: label
              match: {rules: [label]}
              actions: [{action: l, actionner: kubernetes:label, parameters: {labels: {quarantine: "true"}}}]
            - rule: annotation
              match: {rules: [annotation]}
              actions: [{action: a, actionner: kubernetes:annotation, parameters: {annotations: {falco.org/x: "y"}}}]
            - rule: networkpolicy
              match: {rules: [networkpolicy]}
              actions: [{action: n, actionner: kubernetes:networkpolicy}]
            - rule: cordon
              match: {rules: [cordon]}
              actions: [{action: c, actionner: kubernetes:cordon}]
            - rule: drain
              match: {rules: [drain]}
              actions: [{action: d, actionner: kubernetes:drain}]
            """;

    @BeforeAll
    static void start() throws Exception {
        auditFile = Files.createTempDirectory("talon-protected").resolve("audit.jsonl");
        talon = TalonTestServer.builder()
                .config("print_all_events: false\n"
                        + "audit: {file: " + auditFile + "}\n"
                        + "deduplication: {time_window_seconds: 0}\n"
                        + "protected:\n"
                        + "  namespaces: [payments]\n"
                        + "  names: [critical-config, shop/db-0, cp-1]\n"
                        + "  labels: [\"falco.org/protected=true\"]\n")
                .rules(RULES).kubernetesClient(client)
                // Talon "runs" as this pod of this service account in namespace falco
                .identity(TALON_NS, TALON_POD, TALON_SA).start();
    }

    @AfterAll
    static void stop() {
        talon.close();
    }

    private static Map<String, String> audit(String resource, String name, String ns) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("ka.target.resource", resource);
        m.put("ka.target.name", name);
        if (ns != null) {
            m.put("ka.target.namespace", ns);
        }
        return m;
    }

    private static <T extends HasMetadata> T create(T o) {
        return client.resource(o).create();
    }

    private static ActionResult delete(String resource, String name, String ns) throws Exception {
        return ActionnerRun.runFrom(talon, "k8s_audit", "delete", audit(resource, name, ns));
    }

    private static long refusals(String actionner) {
        return talon.server().runtime().counters().get("protected_refusals", "actionner", actionner);
    }

    @Test
    void theKeysOfTheClusterSurviveDeleteEvents() throws Exception {
        for (String ns : List.of("kube-system", "kube-public", "kube-node-lease", "default", TALON_NS, "payments",
                "shop")) {
            create(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build());
        }
        for (String role : List.of("cluster-admin", "admin", "edit", "view", "system:controller:job-controller",
                "falco-talon", "app-reader")) {
            create(new ClusterRoleBuilder().withNewMetadata().withName(role).endMetadata().build());
        }
        // Talon's own ClusterRole is found through the binding that grants it to Talon's service account
        create(new ClusterRoleBindingBuilder().withNewMetadata().withName("falco-talon").endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
                .withName("falco-talon").endRoleRef().addNewSubject().withKind("ServiceAccount").withName(TALON_SA)
                .withNamespace(TALON_NS).endSubject().build());
        create(new ServiceAccountBuilder().withNewMetadata().withName(TALON_SA).withNamespace(TALON_NS).endMetadata()
                .build());
        create(new SecretBuilder().withNewMetadata().withName("falco-talon-auth").withNamespace(TALON_NS)
                .endMetadata().build());
        create(new RoleBuilder().withNewMetadata().withName("kubeadm:nodes").withNamespace("kube-system")
                .endMetadata().build());
        create(new ConfigMapBuilder().withNewMetadata().withName("critical-config").withNamespace("shop")
                .endMetadata().build());
        create(new SecretBuilder().withNewMetadata().withName("tls").withNamespace("shop")
                .addToLabels("falco.org/protected", "true").endMetadata().build());
        create(new ConfigMapBuilder().withNewMetadata().withName("ledger").withNamespace("payments").endMetadata()
                .build());
        create(new ConfigMapBuilder().withNewMetadata().withName("scratch").withNamespace("shop").endMetadata()
                .build());

        long before = refusals("kubernetes:delete");
        Map<String, String[]> refused = new LinkedHashMap<>();
        refused.put("namespace kube-system is a namespace Kubernetes needs", new String[] {"namespaces", "kube-system", null});
        refused.put("namespace kube-public is a namespace Kubernetes needs", new String[] {"namespaces", "kube-public", null});
        refused.put("namespace kube-node-lease is a namespace Kubernetes needs",
                new String[] {"namespaces", "kube-node-lease", null});
        refused.put("namespace default is the default namespace", new String[] {"namespaces", "default", null});
        refused.put("namespace falco is Talon's own namespace", new String[] {"namespaces", TALON_NS, null});
        refused.put("namespace payments is a protected namespace", new String[] {"namespaces", "payments", null});
        refused.put("clusterrole cluster-admin is one of Kubernetes' own roles",
                new String[] {"clusterroles", "cluster-admin", null});
        refused.put("clusterrole admin is one of Kubernetes' own roles", new String[] {"clusterroles", "admin", null});
        refused.put("clusterrole edit is one of Kubernetes' own roles", new String[] {"clusterroles", "edit", null});
        refused.put("clusterrole view is one of Kubernetes' own roles", new String[] {"clusterroles", "view", null});
        refused.put("clusterrole system:controller:job-controller is one of Kubernetes' own roles",
                new String[] {"clusterroles", "system:controller:job-controller", null});
        refused.put("clusterrole falco-talon is Talon's own (granted by clusterrolebinding falco-talon)",
                new String[] {"clusterroles", "falco-talon", null});
        refused.put("serviceaccount falco/falco-talon is in Talon's own namespace",
                new String[] {"serviceaccounts", TALON_SA, TALON_NS});
        refused.put("secret falco/falco-talon-auth is in Talon's own namespace",
                new String[] {"secrets", "falco-talon-auth", TALON_NS});
        refused.put("role kube-system/kubeadm:nodes is in a namespace Kubernetes needs",
                new String[] {"roles", "kubeadm:nodes", "kube-system"});
        refused.put("configmap shop/critical-config is in protected.names (critical-config)",
                new String[] {"configmaps", "critical-config", "shop"});
        refused.put("secret shop/tls matches protected.labels (falco.org/protected=true)",
                new String[] {"secrets", "tls", "shop"});
        refused.put("configmap payments/ledger is in a protected namespace", new String[] {"configmaps", "ledger", "payments"});
        Map<String, String> reasons = new LinkedHashMap<>();
        for (Map.Entry<String, String[]> e : refused.entrySet()) {
            String[] t = e.getValue();
            ActionResult r = delete(t[0], t[1], t[2]);
            reasons.put(r.getTraceId(), r.getOutput());
            assertThat(r.getStatus()).as(e.getKey()).isEqualTo("ignored");
            assertThat(r.getOutput()).as(r.getJson()).startsWith("protected object: " + e.getKey())
                    .endsWith("; Talon does not act on it");
        }
        assertThat(refusals("kubernetes:delete") - before).isEqualTo(refused.size());
        // each refusal is in the audit trail as "refused", with the result's reason
        Map<String, String> audited = await().atMost(Duration.ofSeconds(10)).until(() -> {
            Map<String, String> m = new LinkedHashMap<>();
            for (String line : Files.exists(auditFile) ? Files.readAllLines(auditFile) : List.<String>of()) {
                JsonNode rec = JSON.readTree(line);
                if ("refused".equals(rec.path("kind").asText()) && reasons.containsKey(rec.path("trace_id").asText())) {
                    m.put(rec.path("trace_id").asText(), rec.path("reason").asText());
                }
            }
            return m;
        }, m -> m.size() == reasons.size());
        assertThat(audited).isEqualTo(reasons);
        // everything is still there
        for (String ns : List.of("kube-system", "kube-public", "kube-node-lease", "default", TALON_NS, "payments")) {
            assertThat(client.namespaces().withName(ns).get()).as(ns).isNotNull();
        }
        for (String role : List.of("cluster-admin", "admin", "edit", "view", "system:controller:job-controller",
                "falco-talon")) {
            assertThat(client.rbac().clusterRoles().withName(role).get()).as(role).isNotNull();
        }
        assertThat(client.rbac().clusterRoleBindings().withName("falco-talon").get()).isNotNull();
        assertThat(client.serviceAccounts().inNamespace(TALON_NS).withName(TALON_SA).get()).isNotNull();
        assertThat(client.secrets().inNamespace(TALON_NS).withName("falco-talon-auth").get()).isNotNull();
        assertThat(client.configMaps().inNamespace("shop").withName("critical-config").get()).isNotNull();
        assertThat(client.secrets().inNamespace("shop").withName("tls").get()).isNotNull();

        // what is not protected is still deleted
        assertThat(delete("clusterroles", "app-reader", null).getStatus()).isEqualTo("success");
        assertThat(delete("configmaps", "scratch", "shop").getStatus()).isEqualTo("success");
        assertThat(client.rbac().clusterRoles().withName("app-reader").get()).isNull();
        assertThat(client.configMaps().inNamespace("shop").withName("scratch").get()).isNull();
    }

    @Test
    void talonsOwnPodAndProtectedPodsSurviveEveryPodActionner() throws Exception {
        K8s.pod(client, TALON_NS, TALON_POD, Map.of("app.kubernetes.io/name", "falco-talon"), null);
        K8s.pod(client, "kube-system", "coredns-5d78c9869d-abcde", Map.of(), null);
        K8s.pod(client, "payments", "ledger-0", Map.of(), null);
        K8s.pod(client, "shop", "db-0", Map.of(), null);
        K8s.pod(client, "shop", "vault-0", Map.of("falco.org/protected", "true"), null);
        Map<String, String> why = Map.of(
                TALON_NS + "/" + TALON_POD, "pod falco/" + TALON_POD + " is in Talon's own namespace (falco)",
                "kube-system/coredns-5d78c9869d-abcde", "pod kube-system/coredns-5d78c9869d-abcde is in a namespace"
                        + " Kubernetes needs (kube-system)",
                "payments/ledger-0", "pod payments/ledger-0 is in a protected namespace (payments, protected.namespaces)",
                "shop/db-0", "pod shop/db-0 is in protected.names (shop/db-0)",
                "shop/vault-0", "pod shop/vault-0 matches protected.labels (falco.org/protected=true)");
        for (String actionner : List.of("terminate", "label", "annotation", "networkpolicy")) {
            long before = refusals("kubernetes:" + actionner);
            for (Map.Entry<String, String> p : why.entrySet()) {
                String[] ref = p.getKey().split("/");
                ActionResult r = run(talon, actionner, podFields(ref[0], ref[1]));
                assertThat(r.getStatus()).as(actionner + " " + p.getKey()).isEqualTo("ignored");
                assertThat(r.getOutput()).isEqualTo("protected object: " + p.getValue() + "; Talon does not act on it");
            }
            assertThat(refusals("kubernetes:" + actionner) - before).isEqualTo(why.size());
        }
        for (String p : why.keySet()) {
            String[] ref = p.split("/");
            var pod = client.pods().inNamespace(ref[0]).withName(ref[1]).get();
            assertThat(pod).as(p).isNotNull();
            assertThat(pod.getMetadata().getLabels()).as(p).doesNotContainKey("quarantine");
            assertThat(pod.getMetadata().getAnnotations()).as(p).doesNotContainKey("falco.org/x");
        }
        assertThat(client.network().v1().networkPolicies().inAnyNamespace().list().getItems()).isEmpty();

        // a pod that is not protected is still terminated
        K8s.pod(client, "shop", "web-1", Map.of(), null);
        assertThat(run(talon, "terminate", podFields("shop", "web-1")).getStatus()).isEqualTo("success");
        assertThat(client.pods().inNamespace("shop").withName("web-1").get()).isNull();
    }

    @Test
    void aProtectedNodeIsNeitherCordonedNorDrained() throws Exception {
        K8s.node(client, "cp-1");
        client.resource(K8s.podBuilder("shop", "on-cp", Map.of()).editSpec().withNodeName("cp-1").endSpec().build())
                .create();
        for (String actionner : List.of("cordon", "drain")) {
            ActionResult r = ActionnerRun.runOn(talon, "cp-1", actionner, podFields("shop", "on-cp"));
            assertThat(r.getStatus()).as(actionner).isEqualTo("ignored");
            assertThat(r.getOutput()).isEqualTo("protected object: node cp-1 is in protected.names (cp-1); Talon does"
                    + " not act on it");
        }
        assertThat(client.nodes().withName("cp-1").get().getSpec().getUnschedulable()).isNotEqualTo(Boolean.TRUE);
        assertThat(client.pods().inNamespace("shop").withName("on-cp").get()).isNotNull();
    }
}
