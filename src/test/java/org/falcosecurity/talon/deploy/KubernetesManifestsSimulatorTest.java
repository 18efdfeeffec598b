package org.falcosecurity.talon.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import org.falcosecurity.talon.config.TalonConfig;
import org.falcosecurity.talon.support.DeploymentChecks;
import org.falcosecurity.talon.support.K8sManifests;
import org.falcosecurity.talon.support.KubernetesSimulator;
import org.falcosecurity.talon.support.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every file in {@code kubernetes/} (and {@code kubernetes/camel-k/}) parses as the Kubernetes objects it claims to
 * be, with no unknown field, and is created on the API simulator; the Deployment is hardened, the ConfigMap holds a
 * valid config and valid rules, and kustomize renders it all into one namespace.
 */
class KubernetesManifestsSimulatorTest {

    @RegisterExtension
    static final KubernetesSimulator k8s = KubernetesSimulator.crud();

    private static final Path DIR = Path.of("kubernetes");

    @Test
    void everyManifestIsTheObjectItClaimsAndCreatesOnTheSimulator() throws Exception {
        List<Path> files = manifestFiles();
        assertThat(files).extracting(p -> DIR.relativize(p).toString())
                .contains("serviceaccount.yaml", "rbac.yaml", "configmap.yaml", "deployment.yaml", "service.yaml",
                        "camel-k/integration.yaml");
        List<HasMetadata> all = new ArrayList<>();
        for (Path f : files) {
            List<HasMetadata> objects = K8sManifests.load(Files.readString(f), f.toString());
            assertThat(objects).as(f + " holds objects").isNotEmpty();
            all.addAll(objects);
        }
        K8sManifests.createAll(k8s.client(), all, "falco");
        assertThat(k8s.client().apps().deployments().inNamespace("falco").withName("falco-talon").get()).isNotNull();
    }

    @Test
    void kustomizationListsEveryPlainManifest() throws Exception {
        JsonNode k = new YAMLMapper().readTree(DIR.resolve("kustomization.yaml").toFile());
        assertThat(k.path("kind").asText()).isEqualTo("Kustomization");
        List<String> listed = new ArrayList<>();
        k.path("resources").forEach(r -> listed.add(r.asText()));
        try (Stream<Path> s = Files.list(DIR)) {
            assertThat(listed).containsExactlyInAnyOrderElementsOf(s
                    .map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml")).toList());
        }
    }

    @Test
    void deploymentIsHardenedAndWiredToTheConfigMapServiceAccountAndService() throws Exception {
        Deployment d = one(load("deployment.yaml"), Deployment.class);
        Container c = DeploymentChecks.assertHardened(d, "falco-talon");
        assertThat(c.getArgs()).containsExactly("server", "--config", "/etc/falco-talon/config.yaml", "--rules",
                "/etc/falco-talon/rules.yaml");
        assertThat(c.getImage()).isEqualTo("falco-talon:" + projectVersion());

        ConfigMap cm = one(load("configmap.yaml"), ConfigMap.class);
        TalonConfig config = DeploymentChecks.assertValidTalonConfig(cm, List.of("rules.yaml"));
        assertThat(config.logFormat()).isEqualTo("json");
        DeploymentChecks.assertRoutesMount(d, config.routesDirectory());
        assertThat(config.routesDirectory()).isEqualTo("/etc/falco-talon/routes");

        ServiceAccount sa = one(load("serviceaccount.yaml"), ServiceAccount.class);
        assertThat(d.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(sa.getMetadata().getName());
        ClusterRoleBinding crb = one(load("serviceaccount.yaml"), ClusterRoleBinding.class);
        ClusterRole role = one(load("rbac.yaml"), ClusterRole.class);
        assertThat(crb.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(crb.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo(sa.getMetadata().getName());
        });

        Service svc = one(load("service.yaml"), Service.class);
        assertThat(svc.getSpec().getSelector()).isEqualTo(d.getSpec().getSelector().getMatchLabels());
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
        assertThat(svc.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getPort()).isEqualTo(2803);
            assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
        });
    }

    @Test
    void theManifestsRequireATokenAndLetOnlyFalcoFalcosidekickAndTheScraperIn() throws Exception {
        Deployment d = one(load("deployment.yaml"), Deployment.class);
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        // the token: an existing Secret (kustomization.yaml says how to create it), required, mounted read-only
        var auth = DeploymentChecks.volume(d.getSpec().getTemplate().getSpec(), "auth").getSecret();
        assertThat(auth.getSecretName()).isEqualTo("falco-talon-auth");
        assertThat(auth.getOptional()).isNotEqualTo(Boolean.TRUE);
        assertThat(DeploymentChecks.mountAt(c, "/etc/falco-talon-auth").getReadOnly()).isTrue();
        ConfigMap cm = one(load("configmap.yaml"), ConfigMap.class);
        assertThat(cm.getData().get("config.yaml")).contains("token_file: /etc/falco-talon-auth/token");
        TalonConfig config = DeploymentChecks.assertValidTalonConfig(cm, List.of("rules.yaml"));
        assertThat(config.authToken()).isNotEmpty();
        assertThat(config.blastRadius().maxActions()).isEqualTo(10);
        assertThat(config.blastRadius().maxActionsPerWorkload()).isEqualTo(2);
        assertThat(c.getEnv()).extracting(e -> e.getName() + "=" + e.getValueFrom().getFieldRef().getFieldPath())
                .contains("NAMESPACE=metadata.namespace", "POD_NAME=metadata.name",
                        "SERVICE_ACCOUNT=spec.serviceAccountName");
        assertThat(Files.readString(DIR.resolve("kustomization.yaml")))
                .contains("kubectl -n falco create secret generic falco-talon-auth --from-literal=token=");

        NetworkPolicy np = one(load("networkpolicy.yaml"), NetworkPolicy.class);
        assertThat(np.getSpec().getPodSelector().getMatchLabels()).isEqualTo(d.getSpec().getSelector()
                .getMatchLabels());
        assertThat(np.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(np.getSpec().getIngress()).flatExtracting(r -> r.getFrom()).extracting(p -> p.getPodSelector()
                .getMatchLabels().get("app.kubernetes.io/name")).containsExactly("falcosidekick", "falco",
                "prometheus");
        assertThat(np.getSpec().getIngress()).allSatisfy(r -> assertThat(r.getPorts()).singleElement()
                .satisfies(p -> assertThat(p.getPort().getStrVal()).isEqualTo("http")));
    }

    @Test
    void kustomizePutsEveryObjectAndTheBindingSubjectInItsNamespace() throws Exception {
        Path kubectl = Tools.kubectl();
        Tools.Result r = Tools.run(List.of(kubectl.toString(), "kustomize", DIR.toString()));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        List<HasMetadata> objects = K8sManifests.load(r.stdout(), "kubectl kustomize kubernetes/");
        // with the Role and RoleBinding of several replicas (role.yaml) and the intake NetworkPolicy
        assertThat(objects).hasSize(9);
        for (HasMetadata o : objects) {
            if (o instanceof io.fabric8.kubernetes.api.model.Namespaced) {
                assertThat(o.getMetadata().getNamespace()).as(o.getKind()).isEqualTo("falco");
            }
        }
        ClusterRoleBinding crb = objects.stream().filter(ClusterRoleBinding.class::isInstance)
                .map(ClusterRoleBinding.class::cast).findFirst().orElseThrow();
        assertThat(crb.getSubjects().get(0).getNamespace()).isEqualTo("falco");
        // the Lease and the shared ConfigMaps: a Role in Talon's namespace, bound to its service account there
        var rb = objects.stream().filter(io.fabric8.kubernetes.api.model.rbac.RoleBinding.class::isInstance)
                .map(io.fabric8.kubernetes.api.model.rbac.RoleBinding.class::cast).findFirst().orElseThrow();
        assertThat(rb.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(rb.getSubjects().get(0).getNamespace()).isEqualTo("falco");
        var role = objects.stream().filter(io.fabric8.kubernetes.api.model.rbac.Role.class::isInstance)
                .map(io.fabric8.kubernetes.api.model.rbac.Role.class::cast).findFirst().orElseThrow();
        assertThat(K8sManifests.grants(role.getRules())).contains("coordination.k8s.io/leases:get",
                "coordination.k8s.io/leases:create", "coordination.k8s.io/leases:update");
    }

    @Test
    void theKafkaComponentRunsThreeReplicasInOneConsumerGroupWithADisruptionBudget() throws Exception {
        // what a user does: turn the component on in kustomization.yaml
        Path copy = Files.createTempDirectory("manifests").resolve("kubernetes");
        try (Stream<Path> s = Files.walk(DIR)) {
            for (Path p : s.toList()) {
                Files.copy(p, copy.resolve(DIR.relativize(p).toString()));
            }
        }
        String k = Files.readString(copy.resolve("kustomization.yaml"));
        assertThat(k).contains("# components:\n#   - kafka");
        Files.writeString(copy.resolve("kustomization.yaml"),
                k.replace("# components:\n#   - kafka", "components:\n  - kafka"));
        Tools.Result r = Tools.run(List.of(Tools.kubectl().toString(), "kustomize", copy.toString()));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        List<HasMetadata> objects = K8sManifests.load(r.stdout(), "kubectl kustomize (kafka component)");
        assertThat(objects).hasSize(10);
        // the cluster-scoped objects are the same as without the component (created by the test above)
        K8sManifests.createAll(k8s.client(), objects.stream()
                .filter(o -> o instanceof io.fabric8.kubernetes.api.model.Namespaced).toList(), "falco-kafka");

        Deployment d = one(objects, Deployment.class);
        assertThat(d.getSpec().getReplicas()).isEqualTo(3);
        DeploymentChecks.assertHardened(d, "falco-talon");
        PodDisruptionBudget pdb = one(objects, PodDisruptionBudget.class);
        assertThat(pdb.getMetadata().getNamespace()).isEqualTo("falco");
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(pdb.getSpec().getSelector().getMatchLabels()).isEqualTo(d.getSpec().getSelector().getMatchLabels());
        // the config.yaml of the ConfigMap plus the container's environment: a valid config in Kafka mode
        Map<String, String> env = new java.util.LinkedHashMap<>();
        // (the Downward API variables have no value here: the kubelet sets them)
        d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getValue() != null).forEach(e -> env.put(e.getName(),
                e.getValue()));
        TalonConfig config = DeploymentChecks.assertValidTalonConfig(one(objects, ConfigMap.class),
                List.of("rules.yaml"), env);
        assertThat(config.kafka().enabled()).isTrue();
        assertThat(config.kafka().brokers()).isEqualTo("kafka-bootstrap.kafka:9092");
        assertThat(config.kafka().groupId()).isEqualTo("falco-talon");
    }

    @Test
    void theCalicoAndCiliumComponentsAddTheirClusterRoleBoundToTalonsServiceAccount() throws Exception {
        Path copy = Files.createTempDirectory("manifests").resolve("kubernetes");
        try (Stream<Path> s = Files.walk(DIR)) {
            for (Path p : s.toList()) {
                Files.copy(p, copy.resolve(DIR.relativize(p).toString()));
            }
        }
        String k = Files.readString(copy.resolve("kustomization.yaml"));
        assertThat(k).contains("#   - calico\n#   - cilium");
        Files.writeString(copy.resolve("kustomization.yaml"), k.replace("# components:", "components:")
                .replace("#   - calico\n#   - cilium", "  - calico\n  - cilium"));
        Tools.Result r = Tools.run(List.of(Tools.kubectl().toString(), "kustomize", copy.toString()));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        List<HasMetadata> objects = K8sManifests.load(r.stdout(), "kubectl kustomize (calico, cilium components)");
        // the 9 base objects (above) and a ClusterRole and binding per CNI
        assertThat(objects).hasSize(13);
        for (String cni : List.of("calico", "cilium")) {
            ClusterRole role = objects.stream().filter(ClusterRole.class::isInstance).map(ClusterRole.class::cast)
                    .filter(o -> o.getMetadata().getName().equals("falco-talon-" + cni)).findFirst().orElseThrow();
            assertThat(K8sManifests.grants(role.getRules())).hasSize(3).allMatch(g -> g.startsWith(
                    cni.equals("calico") ? "projectcalico.org/networkpolicies:" : "cilium.io/ciliumnetworkpolicies:"));
            ClusterRoleBinding b = objects.stream().filter(ClusterRoleBinding.class::isInstance)
                    .map(ClusterRoleBinding.class::cast)
                    .filter(o -> o.getMetadata().getName().equals("falco-talon-" + cni)).findFirst().orElseThrow();
            assertThat(b.getRoleRef().getName()).isEqualTo("falco-talon-" + cni);
            assertThat(b.getSubjects()).singleElement().satisfies(sub -> {
                assertThat(sub.getName()).isEqualTo("falco-talon");
                assertThat(sub.getNamespace()).isEqualTo("falco");
            });
        }
    }

    static List<Path> manifestFiles() throws Exception {
        List<Path> files = new ArrayList<>();
        for (Path dir : List.of(DIR, DIR.resolve("camel-k"))) {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.toString().endsWith(".yaml") && !p.endsWith("kustomization.yaml")).sorted()
                        .forEach(files::add);
            }
        }
        return files;
    }

    private static List<HasMetadata> load(String file) throws Exception {
        return K8sManifests.load(Files.readString(DIR.resolve(file)), file);
    }

    static <T> T one(List<HasMetadata> objects, Class<T> type) {
        List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(found).as(type.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    /** The one Secret whose name ends with the suffix (the chart makes "-auth" for the token, "-secrets" for the rest). */
    static Secret secret(List<HasMetadata> objects, String nameSuffix) {
        List<Secret> found = objects.stream().filter(Secret.class::isInstance).map(Secret.class::cast)
                .filter(s -> s.getMetadata().getName().endsWith(nameSuffix)).toList();
        assertThat(found).as("Secret *" + nameSuffix).hasSize(1);
        return found.get(0);
    }

    static String projectVersion() throws Exception {
        Properties p = new Properties();
        try (InputStream in = KubernetesManifestsSimulatorTest.class.getClassLoader()
                .getResourceAsStream("falco-talon-version.properties")) {
            p.load(in);
        }
        return p.getProperty("version");
    }
}
