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
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import org.falcosecurity.talon.builtins.Builtins;
import org.falcosecurity.talon.catalog.Declarations;
import org.falcosecurity.talon.catalog.Permission;
import org.falcosecurity.talon.config.ConfigKey;
import org.falcosecurity.talon.config.TalonConfig;
import org.falcosecurity.talon.support.DeploymentChecks;
import org.falcosecurity.talon.support.Helm;
import org.falcosecurity.talon.support.K8sManifests;
import org.falcosecurity.talon.support.KubernetesSimulator;
import org.falcosecurity.talon.support.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.falcosecurity.talon.deploy.KubernetesManifestsSimulatorTest.one;
import static org.falcosecurity.talon.deploy.KubernetesManifestsSimulatorTest.secret;

/**
 * The Helm chart, rendered by the real helm ({@code .ci/helm-check} installs it): with the default values and with
 * every option on, every manifest is the Kubernetes object it claims to be and is created on the API simulator; the
 * values cover every config key; the ClusterRole with every actionner group on grants exactly what
 * {@code kubernetes/rbac.yaml} grants; a change to the rules rolls the pods; secrets never reach the ConfigMap.
 */
class HelmChartSimulatorTest {

    @RegisterExtension
    static final KubernetesSimulator k8s = KubernetesSimulator.crud();

    private static final Path CHART = Path.of("kubernetes/helm/falco-talon");
    private static final String[] ALL_OPTIONS = {
        "serviceMonitor.enabled=true",
        "secrets.values.NOTIFIERS_SLACK_WEBHOOK_URL=https://hooks.example/T0/B0/x",
        "secrets.values.AUTH_TOKEN=s3cret",
        "config.notifiers.slack.username=Falco Talon",
        "tlsSecret=talon-tls",
        "config.tls.keystore=/etc/falco-talon-tls/keystore.p12",
        "replicaCount=3",
        // cluster-scoped objects share the simulator with the default render
        "fullnameOverride=talon-all",
        "extraEnv[0].name=JAVA_TOOL_OPTIONS",
        "extraEnv[0].value=-XX:+PrintFlagsFinal",
        "config.kafka.enabled=true",
        "config.kafka.brokers=kafka-0.kafka:9092\\,kafka-1.kafka:9092"};

    /** Values with multi-line content (--set cannot carry commas). */
    private static final String EXTRA_VALUES = """
            routes:
              notifier-teams.camel.yaml: |
                - route:
                    id: notifier-teams
                    from:
                      uri: direct:notifier-teams
                      steps:
                        - log: "${body.json}"
            rulesOverride: |
              - rule: Extra
                match:
                  priority: Critical
                actions:
                  - action: Log it
                    actionner: custom:log
                    parameters:
                      message: extra
            """;

    @Test
    void defaultRenderIsValidAndHardened() throws Exception {
        List<HasMetadata> objects = render();
        assertThat(objects).extracting(HasMetadata::getKind).containsExactlyInAnyOrder("ServiceAccount",
                "ConfigMap", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Service", "Deployment",
                "Secret", "NetworkPolicy");
        K8sManifests.createAll(k8s.client(), objects, "falco");

        Deployment d = one(objects, Deployment.class);
        Container c = DeploymentChecks.assertHardened(d, "falco-talon");
        assertThat(c.getImage()).isEqualTo("falco-talon:" + KubernetesManifestsSimulatorTest.projectVersion());
        assertThat(c.getArgs()).containsExactly("server", "--config", "/etc/falco-talon/config.yaml");
        assertThat(c.getEnvFrom()).isNullOrEmpty();
        assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsKeys("checksum/config", "checksum/routes", "checksum/secret");

        ConfigMap cm = one(objects, ConfigMap.class);
        TalonConfig config = DeploymentChecks.assertValidTalonConfig(cm, List.of("rules.yaml"));
        assertThat(config.rulesFiles()).containsExactly("/etc/falco-talon/rules.yaml");
        DeploymentChecks.assertRoutesMount(d, config.routesDirectory());

        ServiceAccount sa = one(objects, ServiceAccount.class);
        assertThat(d.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(sa.getMetadata().getName());
        ClusterRoleBinding crb = one(objects, ClusterRoleBinding.class);
        assertThat(crb.getRoleRef().getName()).isEqualTo(one(objects, ClusterRole.class).getMetadata().getName());
        assertThat(crb.getSubjects().get(0).getNamespace()).isEqualTo("falco");
        assertThat(one(objects, Service.class).getSpec().getPorts().get(0).getPort()).isEqualTo(2803);

        // several replicas: who each pod is (the Downward API), and a Role on the Lease and the shared ConfigMaps
        // in Talon's namespace only
        assertThat(c.getEnv()).extracting(e -> e.getName() + "=" + e.getValueFrom().getFieldRef().getFieldPath())
                .contains("POD_NAME=metadata.name", "NAMESPACE=metadata.namespace", "POD_IP=status.podIP");
        var role = one(objects, io.fabric8.kubernetes.api.model.rbac.Role.class);
        assertThat(role.getMetadata().getNamespace()).isEqualTo("falco");
        assertThat(K8sManifests.grants(role.getRules())).containsExactlyInAnyOrder("coordination.k8s.io/leases:get",
                "coordination.k8s.io/leases:create", "coordination.k8s.io/leases:update", "core/configmaps:create",
                "core/configmaps:get", "core/configmaps:update");
        assertThat(role.getRules()).anySatisfy(r -> assertThat(r.getResourceNames())
                .containsExactlyInAnyOrder("falco-talon-blast-radius", "falco-talon-handover"));
        var rb = one(objects, io.fabric8.kubernetes.api.model.rbac.RoleBinding.class);
        assertThat(rb.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(rb.getSubjects()).singleElement().satisfies(sub -> {
            assertThat(sub.getName()).isEqualTo(sa.getMetadata().getName());
            assertThat(sub.getNamespace()).isEqualTo("falco");
        });
    }

    @Test
    void everyOptionOnRendersValidObjects() throws Exception {
        List<HasMetadata> objects = render(valuesFile(EXTRA_VALUES), ALL_OPTIONS);
        assertThat(objects).extracting(HasMetadata::getKind).contains("Secret", "ServiceMonitor",
                "PodDisruptionBudget");
        assertThat(objects.stream().filter(ConfigMap.class::isInstance).count()).isEqualTo(2);
        K8sManifests.createAll(k8s.client(), objects, "falco-all");

        Deployment d = one(objects, Deployment.class);
        Container c = DeploymentChecks.assertHardened(d, "talon-all");
        assertThat(d.getSpec().getReplicas()).isEqualTo(3);
        assertThat(c.getReadinessProbe().getHttpGet().getScheme()).isEqualTo("HTTPS");
        assertThat(c.getEnv()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("JAVA_TOOL_OPTIONS"));
        Secret secret = one(objects, Secret.class);
        assertThat(c.getEnvFrom()).singleElement()
                .satisfies(e -> assertThat(e.getSecretRef().getName()).isEqualTo(secret.getMetadata().getName()));
        assertThat(secret.getStringData()).containsOnlyKeys("NOTIFIERS_SLACK_WEBHOOK_URL", "AUTH_TOKEN");
        assertThat(DeploymentChecks.mountAt(c, "/etc/falco-talon-tls").getReadOnly()).isTrue();

        // the rules and the override are both valid and loaded in that order; no secret in the ConfigMap
        ConfigMap cm = objects.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .filter(m -> m.getData().containsKey("config.yaml")).findFirst().orElseThrow();
        assertThat(cm.getData().get("config.yaml")).contains("keystore: /etc/falco-talon-tls/keystore.p12");
        // the keystore exists only in the pod: point the check at a local file
        Path keystore = Files.createTempFile("keystore", ".p12");
        TalonConfig config = DeploymentChecks.assertValidTalonConfig(cm,
                List.of("rules.yaml", "rules-override.yaml"), Map.of("TLS_KEYSTORE", keystore.toString()));
        assertThat(config.rulesFiles()).containsExactly("/etc/falco-talon/rules.yaml",
                "/etc/falco-talon/rules-override.yaml");
        assertThat(config.notifier("slack")).containsEntry("username", "Falco Talon");
        assertThat(cm.getData().toString()).doesNotContain("hooks.example").doesNotContain("s3cret");

        ConfigMap routes = objects.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .filter(m -> m.getMetadata().getName().endsWith("-routes")).findFirst().orElseThrow();
        assertThat(routes.getData()).containsKey("notifier-teams.camel.yaml");

        ServiceMonitor sm = one(objects, ServiceMonitor.class);
        assertThat(sm.getSpec().getSelector().getMatchLabels())
                .isEqualTo(one(objects, Service.class).getSpec().getSelector());
        assertThat(sm.getSpec().getEndpoints()).singleElement().satisfies(e -> {
            assertThat(e.getPath()).isEqualTo("/metrics");
            assertThat(e.getPort()).isEqualTo("http");
            assertThat(e.getScheme()).isEqualTo("https");
        });
    }

    @Test
    void kafkaModeRendersAPodDisruptionBudgetAndTheKafkaSettings() throws Exception {
        List<HasMetadata> objects = render("config.kafka.enabled=true", "config.kafka.brokers=kafka.kafka:9092",
                "config.kafka.topic=talon", "config.kafka.group_id=talon-prod", "replicaCount=3",
                "fullnameOverride=talon-kafka");
        assertThat(objects).extracting(HasMetadata::getKind).containsExactlyInAnyOrder("ServiceAccount",
                "ConfigMap", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Service", "Deployment",
                "PodDisruptionBudget", "Secret", "NetworkPolicy");
        K8sManifests.createAll(k8s.client(), objects, "falco-kafka");
        Deployment d = one(objects, Deployment.class);
        assertThat(d.getSpec().getReplicas()).isEqualTo(3);
        PodDisruptionBudget pdb = one(objects, PodDisruptionBudget.class);
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(pdb.getSpec().getSelector().getMatchLabels()).isEqualTo(d.getSpec().getSelector().getMatchLabels());
        TalonConfig config = DeploymentChecks.assertValidTalonConfig(one(objects, ConfigMap.class),
                List.of("rules.yaml"));
        assertThat(config.kafka().enabled()).isTrue();
        assertThat(config.kafka().brokers()).isEqualTo("kafka.kafka:9092");
        assertThat(config.kafka().topic()).isEqualTo("talon");
        assertThat(config.kafka().groupId()).isEqualTo("talon-prod");

        // off by default, and turned off on its own
        assertThat(render()).extracting(HasMetadata::getKind).doesNotContain("PodDisruptionBudget");
        assertThat(render("config.kafka.enabled=true", "config.kafka.brokers=k:9092",
                "podDisruptionBudget.enabled=false")).extracting(HasMetadata::getKind)
                .doesNotContain("PodDisruptionBudget");
        // Kafka mode without brokers fails the install, naming the value
        Tools.Result r = helm("template", "falco-talon", CHART.toString(), "--set", "config.kafka.enabled=true");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stderr()).contains("config.kafka.brokers is required");
        Tools.Result lint = helm("lint", "--strict", CHART.toString(), "--set", "config.kafka.enabled=true",
                "--set", "config.kafka.brokers=k:9092");
        assertThat(lint.exitCode()).as(lint.stdout() + lint.stderr()).isZero();
    }

    @Test
    void theIntakeTokenIsARandomSecretMountedAsTheTokenFile() throws Exception {
        List<HasMetadata> objects = render("fullnameOverride=talon-auth");
        Secret secret = one(objects, Secret.class);
        assertThat(secret.getMetadata().getName()).isEqualTo("talon-auth-auth");
        String token = secret.getStringData().get("token");
        assertThat(token).matches("[A-Za-z0-9]{48}");
        // random: another install gets another token (an upgrade keeps the installed one: helm's lookup)
        assertThat(one(render("fullnameOverride=talon-auth"), Secret.class).getStringData().get("token"))
                .isNotEqualTo(token);
        Deployment d = one(objects, Deployment.class);
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(DeploymentChecks.mountAt(c, "/etc/falco-talon-auth").getReadOnly()).isTrue();
        assertThat(DeploymentChecks.volume(d.getSpec().getTemplate().getSpec(), "auth").getSecret().getSecretName())
                .isEqualTo("talon-auth-auth");
        // Talon reads the mounted key as its token
        Path file = Files.writeString(Files.createTempFile("token", ""), token);
        TalonConfig config = DeploymentChecks.assertValidTalonConfig(one(objects, ConfigMap.class),
                List.of("rules.yaml"), Map.of("AUTH_TOKEN_FILE", file.toString()));
        assertThat(one(objects, ConfigMap.class).getData().get("config.yaml"))
                .contains("token_file: /etc/falco-talon-auth/token").doesNotContain(token);
        assertThat(config.authToken()).isEqualTo(token);
        assertThat(config.auth().allowUnauthenticated()).isFalse();
        // Talon knows who it is (it never acts on itself): the Downward API
        assertThat(c.getEnv()).extracting(e -> e.getName() + "=" + e.getValueFrom().getFieldRef().getFieldPath())
                .contains("NAMESPACE=metadata.namespace", "POD_NAME=metadata.name",
                        "SERVICE_ACCOUNT=spec.serviceAccountName");

        // an existing Secret instead: nothing created, that one mounted
        List<HasMetadata> existing = render("auth.existingSecret=my-token", "auth.secretKey=value");
        assertThat(existing).noneMatch(Secret.class::isInstance);
        Deployment withExisting = one(existing, Deployment.class);
        assertThat(DeploymentChecks.volume(withExisting.getSpec().getTemplate().getSpec(), "auth").getSecret()
                .getSecretName()).isEqualTo("my-token");
        assertThat(one(existing, ConfigMap.class).getData().get("config.yaml"))
                .contains("token_file: /etc/falco-talon-auth/value");
        // AUTH_TOKEN among the secret settings: no token file
        List<HasMetadata> viaEnv = render("secrets.values.AUTH_TOKEN=t0ken-t0ken");
        assertThat(viaEnv.stream().filter(Secret.class::isInstance).count()).isEqualTo(1);
        assertThat(one(viaEnv, ConfigMap.class).getData().get("config.yaml")).contains("token_file: \"\"");
    }

    @Test
    void anUpgradeKeepsTheInstalledTokenThroughLookup() throws Exception {
        // helm renders against the API simulator (--dry-run=server: lookup reads the cluster), as an upgrade does
        Path kubeconfig = Files.createTempFile("kubeconfig", ".yaml");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: sim, cluster: {server: "%s", insecure-skip-tls-verify: true}}]
                users: [{name: sim, user: {token: simulator}}]
                contexts: [{name: sim, context: {cluster: sim, user: sim, namespace: falco-up}}]
                current-context: sim
                """.formatted(k8s.client().getConfiguration().getMasterUrl()));
        String[] upgrade = {"template", "falco-talon", CHART.toString(), "--namespace", "falco-up",
            "--dry-run=server", "--kubeconfig", kubeconfig.toString(), "--set", "fullnameOverride=talon-up"};
        // the simulator's CRUD mode does not serve discovery: what a real API server says of core/v1 Secrets
        // (helm asks for it with its client timeout)
        k8s.server().expect().get().withPath("/api/v1?timeout=32s").andReturn(200, new io.fabric8.kubernetes.api.model
                .APIResourceListBuilder().withGroupVersion("v1").addNewResource().withName("secrets")
                .withSingularName("secret").withNamespaced(true).withKind("Secret")
                .withVerbs("get", "list", "create", "update", "patch", "delete").endResource().build()).always();
        // first install: nothing in the cluster, a new random token
        Tools.Result first = helm(upgrade);
        assertThat(first.exitCode()).as(first.stderr()).isZero();
        Secret installed = one(K8sManifests.load(first.stdout(), "install"), Secret.class);
        String token = installed.getStringData().get("token");
        assertThat(token).matches("[A-Za-z0-9]{48}");
        k8s.client().resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata()
                .withName("talon-up-auth").withNamespace("falco-up").endMetadata().addToData("token", java.util.Base64.getEncoder()
                        .encodeToString(token.getBytes(java.nio.charset.StandardCharsets.UTF_8))).build()).create();
        // the upgrade renders the same token (a fresh random one would cut Falcosidekick off)
        for (int i = 0; i < 2; i++) {
            Tools.Result again = helm(upgrade);
            assertThat(again.exitCode()).as(again.stderr()).isZero();
            assertThat(one(K8sManifests.load(again.stdout(), "upgrade"), Secret.class).getStringData().get("token"))
                    .isEqualTo(token);
        }
    }

    @Test
    void aNetworkPolicyLetsOnlyFalcosidekickFalcoAndTheScraperIn() throws Exception {
        List<HasMetadata> objects = render("fullnameOverride=talon-np");
        K8sManifests.createAll(k8s.client(), objects, "falco-np");
        NetworkPolicy np = one(objects, NetworkPolicy.class);
        Deployment d = one(objects, Deployment.class);
        assertThat(np.getSpec().getPodSelector().getMatchLabels()).isEqualTo(d.getSpec().getSelector()
                .getMatchLabels());
        assertThat(np.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(np.getSpec().getIngress()).hasSize(2).allSatisfy(rule -> assertThat(rule.getPorts())
                .singleElement().satisfies(p -> assertThat(p.getPort().getStrVal()).isEqualTo("http")));
        assertThat(np.getSpec().getIngress().get(0).getFrom()).extracting(p -> p.getPodSelector().getMatchLabels()
                .get("app.kubernetes.io/name")).containsExactly("falcosidekick", "falco");
        assertThat(np.getSpec().getIngress().get(0).getFrom()).allSatisfy(p -> assertThat(p.getNamespaceSelector())
                .isNotNull());
        assertThat(np.getSpec().getIngress().get(1).getFrom()).extracting(p -> p.getPodSelector().getMatchLabels()
                .get("app.kubernetes.io/name")).containsExactly("prometheus");
        assertThat(k8s.client().network().v1().networkPolicies().inNamespace("falco-np").withName("talon-np").get())
                .isNotNull();
        assertThat(render("networkPolicy.enabled=false")).noneMatch(NetworkPolicy.class::isInstance);
        // the selectors are values: another sender, no scraper
        NetworkPolicy custom = one(render("networkPolicy.intakeFrom[0].podSelector.matchLabels.app=my-sender",
                "networkPolicy.intakeFrom[0].namespaceSelector.matchLabels.team=secops", "networkPolicy.metricsFrom=null"),
                NetworkPolicy.class);
        assertThat(custom.getSpec().getIngress()).singleElement().satisfies(rule -> {
            assertThat(rule.getFrom()).singleElement().satisfies(p -> {
                assertThat(p.getPodSelector().getMatchLabels()).isEqualTo(Map.of("app", "my-sender"));
                assertThat(p.getNamespaceSelector().getMatchLabels()).isEqualTo(Map.of("team", "secops"));
            });
        });
    }

    @Test
    void blastRadiusLimitsAreOnByDefault() throws Exception {
        TalonConfig config = DeploymentChecks.assertValidTalonConfig(one(render(), ConfigMap.class),
                List.of("rules.yaml"));
        assertThat(config.blastRadius().windowSeconds()).isEqualTo(600);
        assertThat(config.blastRadius().maxActions()).isEqualTo(10);
        assertThat(config.blastRadius().maxActionsPerWorkload()).isEqualTo(2);
        assertThat(config.blastRadius().actionners()).contains("kubernetes:terminate", "kubernetes:delete");
        assertThat(config.provenance()).isEqualTo("enforce");
    }

    @Test
    void protectMetricsMakesTheServiceMonitorSendTheToken() throws Exception {
        ServiceMonitor sm = one(render("serviceMonitor.enabled=true", "config.auth.protect_metrics=true"),
                ServiceMonitor.class);
        assertThat(sm.getSpec().getEndpoints()).singleElement().satisfies(e -> {
            assertThat(e.getAuthorization().getType()).isEqualTo("Bearer");
            assertThat(e.getAuthorization().getCredentials().getName()).isEqualTo("falco-talon-auth");
            assertThat(e.getAuthorization().getCredentials().getKey()).isEqualTo("token");
        });
        ServiceMonitor viaEnv = one(render("serviceMonitor.enabled=true", "config.auth.protect_metrics=true",
                "secrets.values.AUTH_TOKEN=t0ken"), ServiceMonitor.class);
        assertThat(viaEnv.getSpec().getEndpoints().get(0).getAuthorization().getCredentials().getKey())
                .isEqualTo("AUTH_TOKEN");
        assertThat(one(render("serviceMonitor.enabled=true"), ServiceMonitor.class).getSpec().getEndpoints().get(0)
                .getAuthorization()).isNull();
    }

    @Test
    void notesShowTheExactFalcoAndFalcosidekickSettings() throws Exception {
        String notes = notes();
        assertThat(notes).contains("TOKEN=$(kubectl -n falco get secret falco-talon-auth -o"
                        + " jsonpath='{.data.token}' | base64 -d)")
                .contains("    --set falcosidekick.config.talon.address=http://talon:$TOKEN@falco-talon.falco:2803\n")
                .contains("    --set falcosidekick.config.webhook.address=http://falco-talon.falco:2803 \\\n"
                        + "    --set-string falcosidekick.config.webhook.customHeaders=\"Authorization:Bearer $TOKEN\"")
                .contains("  falco:\n    json_output: true\n    http_output:\n      enabled: true\n"
                        + "      url: http://talon:<token>@falco-talon.falco:2803/\n");
        // the address Falcosidekick is given authenticates with the intake (Basic, the token as the password)
        String token = "tok3n";
        String header = "Basic " + java.util.Base64.getEncoder().encodeToString(("talon:" + token)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(org.falcosecurity.talon.intake.IntakeToken.of(token).accepts(header)).isTrue();
        // HTTPS when the intake has a keystore; the other token sources
        assertThat(notes("config.tls.keystore=/etc/falco-talon-tls/keystore.p12", "tlsSecret=t"))
                .contains("talon.address=https://talon:$TOKEN@falco-talon.falco:2803");
        assertThat(notes("secrets.values.AUTH_TOKEN=x")).contains("get secret falco-talon-secrets -o"
                + " jsonpath='{.data.AUTH_TOKEN}'");
        assertThat(notes("auth.create=false")).contains("Talon refuses to start while it holds cluster credentials")
                .contains("config.auth.allow_unauthenticated=true");
    }

    /** NOTES.txt rendered by helm (which prints it only on install): wrapped in a ConfigMap of a copy of the chart. */
    private static String notes(String... sets) throws Exception {
        Path copy = Files.createTempDirectory("chart").resolve("falco-talon");
        try (var files = Files.walk(CHART)) {
            for (Path p : files.toList()) {
                Files.copy(p, copy.resolve(CHART.relativize(p).toString()));
            }
        }
        Files.writeString(copy.resolve("templates/_notes.tpl"), "{{- define \"notes\" -}}\n"
                + Files.readString(CHART.resolve("templates/NOTES.txt")) + "\n{{- end }}\n");
        Files.writeString(copy.resolve("templates/notes.yaml"), "apiVersion: v1\nkind: ConfigMap\n"
                + "metadata: {name: notes}\ndata:\n  notes: |\n{{ include \"notes\" . | indent 4 }}\n");
        List<String> args = new ArrayList<>(List.of("template", "falco-talon", copy.toString(), "--namespace",
                "falco", "--show-only", "templates/notes.yaml"));
        for (String set : sets) {
            args.add("--set");
            args.add(set);
        }
        Tools.Result r = helm(args.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return one(K8sManifests.load(r.stdout(), "NOTES.txt"), ConfigMap.class).getData().get("notes");
    }

    @Test
    void valuesCoverEveryConfigKey() throws Exception {
        JsonNode config = new YAMLMapper().readTree(CHART.resolve("values.yaml").toFile()).path("config");
        for (ConfigKey k : ConfigKey.ALL) {
            assertThat(config.at("/" + k.name().replace('.', '/')).isMissingNode())
                    .as("values.yaml config." + k.name()).isFalse();
        }
        assertThat(config.has("notifiers")).isTrue();
    }

    @Test
    void clusterRoleWithEveryGroupOnGrantsExactlyWhatRbacYamlGrants() throws Exception {
        // the plain manifests' ClusterRole plus those of the calico and cilium components
        Set<String> plain = new java.util.TreeSet<>();
        for (String f : List.of("kubernetes/rbac.yaml", "kubernetes/calico/rbac.yaml", "kubernetes/cilium/rbac.yaml")) {
            plain.addAll(K8sManifests.grants(one(K8sManifests.load(Files.readString(Path.of(f)), f), ClusterRole.class)
                    .getRules()));
        }
        JsonNode rbac = new YAMLMapper().readTree(CHART.resolve("values.yaml").toFile()).path("rbac");
        List<String> allOn = new ArrayList<>();
        rbac.path("actionners").fieldNames().forEachRemaining(g -> allOn.add("rbac.actionners." + g + "=true"));
        rbac.path("notifiers").fieldNames().forEachRemaining(g -> allOn.add("rbac.notifiers." + g + "=true"));
        Set<String> helm = K8sManifests.grants(one(render(allOn.toArray(String[]::new)), ClusterRole.class)
                .getRules());
        assertThat(helm).isEqualTo(plain);

        // a group turned off takes its grants away
        Set<String> noExec = K8sManifests.grants(one(render("rbac.actionners.exec=false",
                "rbac.actionners.download=false", "rbac.actionners.tcpdump=false", "rbac.actionners.sysdig=false"),
                ClusterRole.class).getRules());
        assertThat(noExec).doesNotContain("core/pods/exec:create").contains("core/pods:delete");
        List<String> allOff = new ArrayList<>(allOn.stream().map(s -> s.replace("=true", "=false")).toList());
        assertThat(one(render(allOff.toArray(String[]::new)), ClusterRole.class).getRules()).isEmpty();
        assertThat(render("rbac.create=false")).extracting(HasMetadata::getKind)
                .doesNotContain("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");
    }

    @Test
    void eachRbacGroupGrantsExactlyWhatItsBuiltinsDeclare() throws Exception {
        JsonNode rbac = new YAMLMapper().readTree(CHART.resolve("values.yaml").toFile()).path("rbac");
        List<String> allOff = new ArrayList<>();
        rbac.path("actionners").fieldNames().forEachRemaining(g -> allOff.add("rbac.actionners." + g + "=false"));
        rbac.path("notifiers").fieldNames().forEachRemaining(g -> allOff.add("rbac.notifiers." + g + "=false"));
        Map<String, Set<String>> declared = new java.util.TreeMap<>();
        Declarations d = Builtins.declarations();
        d.actionners().forEach(a -> a.permissions().forEach(p -> declared.computeIfAbsent("rbac.actionners."
                + a.rbacGroup(), k -> new java.util.TreeSet<>()).add(grant(p))));
        d.notifiers().forEach(n -> n.permissions().forEach(p -> declared.computeIfAbsent("rbac.notifiers."
                + n.rbacGroup(), k -> new java.util.TreeSet<>()).add(grant(p))));
        assertThat(declared.keySet()).as("every group of values.yaml is a declared group, and back")
                .isEqualTo(new java.util.TreeSet<>(allOff.stream().map(s -> s.substring(0, s.indexOf('='))).toList()));
        for (Map.Entry<String, Set<String>> group : declared.entrySet()) {
            List<String> values = new ArrayList<>(allOff);
            values.remove(group.getKey() + "=false");
            values.add(group.getKey() + "=true");
            Set<String> helm = K8sManifests.grants(one(render(values.toArray(String[]::new)), ClusterRole.class)
                    .getRules());
            assertThat(helm).as(group.getKey()).isEqualTo(group.getValue());
        }
    }

    @Test
    void theCniPolicyGroupsAreGrantedOnlyWhenTheChartsRulesUseThem() throws Exception {
        Set<String> byDefault = K8sManifests.grants(one(render(), ClusterRole.class).getRules());
        assertThat(byDefault).noneMatch(g -> g.startsWith("projectcalico.org/") || g.startsWith("cilium.io/"));
        Path calicoRules = valuesFile("""
                rulesOverride: |
                  - rule: Cut the connection
                    match:
                      rules: [Unexpected outbound connection destination]
                    actions:
                      - action: Calico deny
                        actionner: "calico:networkpolicy"
                """);
        Set<String> withCalico = K8sManifests.grants(one(render(calicoRules), ClusterRole.class).getRules());
        assertThat(withCalico).contains("projectcalico.org/networkpolicies:get",
                "projectcalico.org/networkpolicies:create", "projectcalico.org/networkpolicies:update",
                "apps/deployments:get").noneMatch(g -> g.startsWith("cilium.io/"));
        // true or false decides whatever the rules say; upstream's verb lists narrow it as for the other groups
        assertThat(K8sManifests.grants(one(render(calicoRules, "rbac.actionners.calico=false"), ClusterRole.class)
                .getRules())).noneMatch(g -> g.startsWith("projectcalico.org/"));
        assertThat(K8sManifests.grants(one(render("rbac.actionners.cilium=true"), ClusterRole.class).getRules()))
                .contains("cilium.io/ciliumnetworkpolicies:update");
        assertThat(K8sManifests.grants(one(render(calicoRules, "rbac.caliconetworkpolicies={get,create}"),
                ClusterRole.class).getRules())).noneMatch(g -> g.startsWith("projectcalico.org/"));
    }

    /** A declared permission as {@link K8sManifests#grants} writes a granted one. */
    private static String grant(Permission p) {
        return (p.group().isEmpty() ? "core" : p.group()) + "/" + p.resource() + ":" + p.verb();
    }

    @Test
    void aChangeToTheRulesRollsThePods() throws Exception {
        String before = checksum(render());
        String sameAgain = checksum(render());
        String after = checksum(render(valuesFile(EXTRA_VALUES)));
        assertThat(sameAgain).isEqualTo(before);
        assertThat(after).isNotEqualTo(before);
    }

    @Test
    void secretsNeverGoIntoTheConfigMap() throws Exception {
        // a secret notifier setting in config.notifiers goes to the chart's Secret (as upstream's chart values put
        // them there), never to the ConfigMap
        List<HasMetadata> objects = render("config.notifiers.slack.webhook_url=https://hooks.example/x",
                "config.notifiers.smtp.password=s3cret", "fullnameOverride=talon-secrets");
        assertThat(secret(objects, "-secrets").getStringData()).containsOnly(
                Map.entry("NOTIFIERS_SLACK_WEBHOOK_URL", "https://hooks.example/x"),
                Map.entry("NOTIFIERS_SMTP_PASSWORD", "s3cret"));
        assertThat(objects.stream().filter(ConfigMap.class::isInstance).map(o -> ((ConfigMap) o).getData().toString()))
                .noneMatch(d -> d.contains("hooks.example") || d.contains("s3cret"));
        for (String bad : List.of("config.auth.token=s3cret", "config.tls.keystore_password=s3cret")) {
            Tools.Result r = helm("template", "falco-talon", CHART.toString(), "--set", bad);
            assertThat(r.exitCode()).as(bad).isNotZero();
            assertThat(r.stderr()).contains("is a secret");
        }
        Tools.Result r = helm("template", "falco-talon", CHART.toString(), "--set", "secrets.values.PASSWORD=x");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stderr()).contains("expected NOTIFIERS_<NAME>_<SETTING>");
    }

    @Test
    void helmLintPasses() throws Exception {
        Tools.Result r = helm("lint", "--strict", CHART.toString());
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
    }

    private static String checksum(List<HasMetadata> objects) {
        return one(objects, Deployment.class).getSpec().getTemplate().getMetadata().getAnnotations()
                .get("checksum/config");
    }

    private static Path valuesFile(String yaml) throws Exception {
        Path f = Files.createTempFile("values", ".yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private static List<HasMetadata> render(String... sets) throws Exception {
        return render(null, sets);
    }

    private static List<HasMetadata> render(Path values, String... sets) throws Exception {
        return Helm.template(CHART, "falco-talon", "falco", values, sets);
    }

    private static Tools.Result helm(String... args) throws Exception {
        return Helm.run(args);
    }
}
