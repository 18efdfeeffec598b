package org.falcosecurity.talon.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.KubernetesSimulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.run;

/** kubernetes:delete through the running Talon, for every kind it deletes, against the API simulator. */
class DeleteActionnerSimulatorTest {

    private static final String RULES = """
            - rule: delete
              match: {rules: [delete, K8s Namespace Created]}
              actions: [{action: d, actionner: kubernetes:delete}]
            """;

    @RegisterExtension
    static final KubernetesSimulator k8s = KubernetesSimulator.crud().withTalon(RULES)
            .resetBeforeEach();

    private static Map<String, String> audit(String resource, String name, String ns) {
        return ns == null ? Map.of("ka.target.resource", resource, "ka.target.name", name)
                : Map.of("ka.target.resource", resource, "ka.target.name", name, "ka.target.namespace", ns);
    }

    static Stream<Arguments> kinds() {
        return Stream.of(
                kind("configmaps", "configmap", true,
                        () -> new ConfigMapBuilder().withNewMetadata().withName("o").withNamespace("app").endMetadata()
                                .build()),
                kind("secrets", "secret", true,
                        () -> new SecretBuilder().withNewMetadata().withName("o").withNamespace("app").endMetadata()
                                .build()),
                kind("services", "service", true,
                        () -> new ServiceBuilder().withNewMetadata().withName("o").withNamespace("app").endMetadata()
                                .build()),
                kind("serviceaccounts", "serviceaccount", true,
                        () -> new ServiceAccountBuilder().withNewMetadata().withName("o").withNamespace("app")
                                .endMetadata().build()),
                kind("deployments", "deployment", true, () -> new io.fabric8.kubernetes.api.model.apps
                        .DeploymentBuilder().withNewMetadata().withName("o").withNamespace("app").endMetadata().build()),
                kind("daemonsets", "daemonset", true, () -> new io.fabric8.kubernetes.api.model.apps
                        .DaemonSetBuilder().withNewMetadata().withName("o").withNamespace("app").endMetadata().build()),
                kind("statefulsets", "statefulset", true, () -> new io.fabric8.kubernetes.api.model.apps
                        .StatefulSetBuilder().withNewMetadata().withName("o").withNamespace("app").endMetadata()
                        .build()),
                kind("replicasets", "replicaset", true, () -> new io.fabric8.kubernetes.api.model.apps
                        .ReplicaSetBuilder().withNewMetadata().withName("o").withNamespace("app").endMetadata().build()),
                kind("roles", "role", true,
                        () -> new RoleBuilder().withNewMetadata().withName("o").withNamespace("app").endMetadata()
                                .build()),
                kind("clusterroles", "clusterrole", false,
                        () -> new ClusterRoleBuilder().withNewMetadata().withName("o").endMetadata().build()),
                kind("namespaces", "namespace", false,
                        () -> new NamespaceBuilder().withNewMetadata().withName("o").endMetadata().build()));
    }

    private static Arguments kind(String resource, String key, boolean namespaced, Supplier<HasMetadata> object) {
        return Arguments.of(resource, key, namespaced, object);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void deletesTheObjectTheAuditEventNames(String resource, String key, boolean namespaced,
                                            Supplier<HasMetadata> object) throws Exception {
        HasMetadata o = k8s.client().resource(object.get()).create();
        ActionResult r = run(k8s.talon(), "delete", audit(resource, "o", namespaced ? "app" : null));
        assertThat(r.getStatus()).isEqualTo("success");
        String ref = namespaced ? "app/o" : "o";
        assertThat(r.getOutput()).isEqualTo(key + " " + ref + " deleted");
        assertThat(r.getObjects()).containsEntry(key, "o").doesNotContainKey("pod");
        if (namespaced) {
            assertThat(r.getObjects()).containsEntry("namespace", "app");
        }
        assertThat(k8s.client().resource(o).get()).isNull();

        // a repeated event finds it gone: ignored, not a failure
        ActionResult again = run(k8s.talon(), "delete", audit(resource, "o", namespaced ? "app" : null));
        assertThat(again.getStatus()).isEqualTo("ignored");
        assertThat(again.getOutput()).isEqualTo(key + " " + ref + " not found: already gone");
    }

    @Test
    void theSampleNamespaceCreatedAuditEventDeletesTheNamespace() throws Exception {
        k8s.client().resource(new NamespaceBuilder().withNewMetadata().withName("todelete").endMetadata().build())
                .create();
        assertThat(k8s.talon().post(Events.load("k8saudit-namespace-created.json")).statusCode()).isEqualTo(200);
        await().until(() -> k8s.talon().results().stream()
                .anyMatch(r -> "K8s Namespace Created".equals(r.getFalcoRule())));
        ActionResult r = k8s.talon().results().stream().filter(x -> "K8s Namespace Created".equals(x.getFalcoRule()))
                .findFirst().orElseThrow();
        assertThat(r.getStatus()).isEqualTo("success");
        assertThat(r.getObjects()).isEqualTo(Map.of("namespace", "todelete"));
        assertThat(k8s.client().namespaces().withName("todelete").get()).isNull();
    }

    @Test
    void anUnsupportedResourceIsAFailureListingTheSupportedOnes() throws Exception {
        ActionResult r = run(k8s.talon(), "delete", audit("pods", "web-1", "app"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).isEqualTo("kubernetes:delete does not delete pods (it deletes: namespaces,"
                + " configmaps, secrets, services, serviceaccounts, deployments, daemonsets, statefulsets,"
                + " replicasets, roles, clusterroles)");
    }

    @Test
    void missingFieldsAreFailures() throws Exception {
        assertThat(run(k8s.talon(), "delete", Map.of("k8s.pod.name", "x", "k8s.ns.name", "y")).getError())
                .isEqualTo("the event has no resource: missing field ka.target.resource (kubernetes:delete acts on"
                        + " Kubernetes audit events)");
        assertThat(run(k8s.talon(), "delete", Map.of("ka.target.resource", "secrets")).getError())
                .isEqualTo("the event has no object name: missing field ka.target.name (kubernetes:delete acts on"
                        + " Kubernetes audit events)");
        assertThat(run(k8s.talon(), "delete", audit("secrets", "creds", null)).getError())
                .isEqualTo("the event has no namespace for secrets 'creds': missing field ka.target.namespace");
    }

    @Test
    void neverDeletesTheNamespacesOrClusterRolesKubernetesNeeds() throws Exception {
        k8s.client().resource(new NamespaceBuilder().withNewMetadata().withName("kube-system").endMetadata().build())
                .create();
        k8s.client().resource(new ClusterRoleBuilder().withNewMetadata().withName("system:node").endMetadata().build())
                .create();
        ActionResult ns = run(k8s.talon(), "delete", audit("namespaces", "kube-system", "kube-system"));
        assertThat(ns.getStatus()).isEqualTo("ignored");
        assertThat(ns.getOutput()).isEqualTo("protected object: namespace kube-system is a namespace Kubernetes"
                + " needs (kube-system); Talon does not act on it");
        ActionResult role = run(k8s.talon(), "delete", audit("clusterroles", "system:node", null));
        assertThat(role.getStatus()).isEqualTo("ignored");
        assertThat(role.getOutput()).isEqualTo("protected object: clusterrole system:node is one of Kubernetes' own"
                + " roles; Talon does not act on it");
        assertThat(k8s.client().namespaces().withName("kube-system").get()).isNotNull();
        assertThat(k8s.client().rbac().clusterRoles().withName("system:node").get()).isNotNull();
    }
}
