package org.falcosecurity.talon.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import org.falcosecurity.talon.config.TalonConfig;
import org.falcosecurity.talon.notifiers.NotifierValidator;
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
 * The chart with values files written for upstream's falcosecurity/charts falco-talon chart (0.4.x), rendered by the
 * real helm: its default values.yaml, a typical user file and the docs site's sub-chart values install unchanged;
 * the config.yaml Talon then reads (with the Secret's variables) says what the config.yaml upstream's chart renders
 * from the same file says; the rbac, podSecurityContext, serviceMonitor and grafana values take effect; secret
 * values reach the Secret, never the ConfigMap. Objects are created on the API simulator.
 */
class UpstreamHelmValuesSimulatorTest {

    @RegisterExtension
    static final KubernetesSimulator k8s = KubernetesSimulator.crud();

    private static final Path CHART = Path.of("kubernetes/helm/falco-talon");
    private static final Path UPSTREAM = Path.of("src/test/resources/upstream");

    @Test
    void upstreamsDefaultValuesInstallAndGiveTheConfigUpstreamRenders() throws Exception {
        List<HasMetadata> objects = render("up-default", UPSTREAM.resolve("charts/values.yaml"));
        K8sManifests.createAll(k8s.client(), objects, "falco-up-default");
        ConfigMap cm = configMap(objects);
        TalonConfig ours = DeploymentChecks.assertValidTalonConfig(cm, List.of("rules.yaml", "rules-override.yaml"));
        TalonConfig theirs = TalonConfig.parse(Files.readString(UPSTREAM.resolve("charts/rendered/config.yaml")),
                "upstream config.yaml", Map.of());
        assertSameSettings(ours, theirs);
        // upstream's default config.rulesOverride is the second rule file
        assertThat(cm.getData().get("rules-override.yaml")).contains("grace_period_seconds: 20");
        assertThat(ours.rulesFiles()).containsExactly("/etc/falco-talon/rules.yaml",
                "/etc/falco-talon/rules-override.yaml");
        // upstream's lists grant every verb: every group is on, as with this chart's defaults
        assertThat(K8sManifests.grants(one(objects, ClusterRole.class).getRules()))
                .isEqualTo(K8sManifests.grants(one(render("ours-default", null), ClusterRole.class).getRules()));
        Deployment d = one(objects, Deployment.class);
        assertThat(d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser()).isEqualTo(1234L);
        assertThat(d.getSpec().getTemplate().getSpec().getSecurityContext().getFsGroup()).isEqualTo(1234L);
        assertThat(d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        // upstream's image, as the file says (NOTES.txt warns about it)
        assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("falco.docker.scarf.sh/falcosecurity/falco-talon:0.1.0-SNAPSHOT");
        // upstream's rules: the two action blocks its overrides refer to
        assertThat(cm.getData().get("rules.yaml")).contains("- action: Terminate Pod")
                .contains("- action: Label Pod as Suspicious").doesNotContain("- rule:");
    }

    @Test
    void aTypicalUserFileInstallsUnchanged() throws Exception {
        List<HasMetadata> objects = render("up-typical", UPSTREAM.resolve("charts/typical-user-values.yaml"));
        assertThat(objects).extracting(HasMetadata::getKind).contains("Secret", "ServiceMonitor");
        K8sManifests.createAll(k8s.client(), objects, "falco-up-typical");
        Secret secret = secret(objects, "-secrets");
        assertThat(secret.getStringData()).containsOnly(
                Map.entry("NOTIFIERS_SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T0000/B0000/XXXXXXXX"),
                Map.entry("NOTIFIERS_SMTP_PASSWORD", "s3cret-smtp"));
        ConfigMap cm = configMap(objects);
        assertThat(cm.getData().toString()).doesNotContain("XXXXXXXX").doesNotContain("s3cret-smtp");
        Deployment d = one(objects, Deployment.class);
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getEnvFrom()).singleElement()
                .satisfies(e -> assertThat(e.getSecretRef().getName()).isEqualTo(secret.getMetadata().getName()));
        assertThat(d.getSpec().getReplicas()).isEqualTo(3);

        // with the Secret's variables, Talon reads what upstream's chart renders from the same file
        TalonConfig ours = DeploymentChecks.assertValidTalonConfig(cm, List.of("rules.yaml", "rules-override.yaml"),
                secret.getStringData());
        TalonConfig theirs = TalonConfig.parse(Files.readString(
                UPSTREAM.resolve("charts/rendered/config-typical-user-values.yaml")), "upstream config.yaml", Map.of());
        assertSameSettings(ours, theirs);
        // every setting of both notifiers, defaults applied, is the same (but slack's footer: upstream's chart
        // renders its own default, https://github.com/falcosecurity/falco-talon, Talon's is the reference's)
        for (String n : List.of("slack", "smtp")) {
            var spec = org.falcosecurity.talon.notifiers.BuiltinNotifiers.spec(n).orElseThrow();
            var o = org.falcosecurity.talon.notifiers.NotifierSettings.of(ours, spec);
            var t = org.falcosecurity.talon.notifiers.NotifierSettings.of(theirs, spec);
            for (String setting : spec.settings().keySet()) {
                if (!setting.equals("footer")) {
                    assertThat(o.string(setting)).as(n + "." + setting).isEqualTo(t.string(setting));
                }
            }
        }
        assertThat(ours.notifier("slack")).containsEntry("webhook_url",
                "https://hooks.slack.com/services/T0000/B0000/XXXXXXXX").containsEntry("format", "short");
        assertThat(NotifierValidator.configured(ours)).containsExactly("slack", "smtp");
        assertThat(NotifierValidator.configProblems(ours, true)).isEmpty();

        // rbac.podsExec: [] takes exec away; the rest stays
        Set<String> grants = K8sManifests.grants(one(objects, ClusterRole.class).getRules());
        assertThat(grants).doesNotContain("core/pods/exec:create", "core/pods/exec:get")
                .contains("core/pods:delete", "core/pods/log:get", "networking.k8s.io/networkpolicies:create");
        ServiceMonitor sm = one(objects, ServiceMonitor.class);
        assertThat(sm.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
        assertThat(sm.getSpec().getEndpoints()).singleElement().satisfies(e -> {
            assertThat(e.getInterval()).isEqualTo("15s");
            assertThat(e.getPort()).isEqualTo("http");
            assertThat(e.getPath()).isEqualTo("/metrics");
        });
        ConfigMap dashboard = objects.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .filter(m -> m.getMetadata().getName().equals("falco-talon-grafana-dashboard")).findFirst()
                .orElseThrow();
        assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        assertThat(dashboard.getMetadata().getAnnotations()).containsEntry("grafana_dashboard_folder", "security");
        assertThat(new YAMLMapper().readTree(dashboard.getData().get("falco-talon-grafana-dashboard.json")))
                .isEqualTo(new YAMLMapper().readTree(CHART.resolve("dashboards/falco-talon-grafana-dashboard.json")
                        .toFile()));
    }

    @Test
    void theDocsSitesSubChartValuesInstall() throws Exception {
        JsonNode sub = new YAMLMapper().readTree(UPSTREAM.resolve("docs-site/helm-falco-subchart-values.yaml")
                .toFile()).path("falco-talon");
        Path values = Files.createTempFile("subchart", ".yaml");
        new YAMLMapper().writeValue(values.toFile(), sub);
        List<HasMetadata> objects = render("up-docs", values);
        K8sManifests.createAll(k8s.client(), objects, "falco-up-docs");
        ConfigMap cm = configMap(objects);
        DeploymentChecks.assertValidTalonConfig(cm, List.of("rules.yaml", "rules-override.yaml"));
        assertThat(cm.getData().get("rules-override.yaml")).contains("- rule: Terminal shell in container");
    }

    @Test
    void upstreamsServiceAccountImagePullSecretsAndIngressValues() throws Exception {
        List<HasMetadata> objects = render("up-sa", null, "rbac.serviceAccount.create=false",
                "rbac.serviceAccount.name=talon-sa", "imagePullSecrets[0]=regcred", "image.registry=registry.example",
                "ingress.enabled=true", "ingress.hosts[0].host=talon.example", "ingress.hosts[0].paths[0].path=/",
                "config.notifiers.webhook.url=https://hooks.example/T0/secret-token");
        assertThat(objects).extracting(HasMetadata::getKind).doesNotContain("ServiceAccount").contains("Ingress");
        K8sManifests.createAll(k8s.client(), objects, "falco-up-sa");
        Deployment d = one(objects, Deployment.class);
        assertThat(d.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("talon-sa");
        assertThat(d.getSpec().getTemplate().getSpec().getImagePullSecrets()).singleElement()
                .satisfies(s -> assertThat(s.getName()).isEqualTo("regcred"));
        assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .startsWith("registry.example/falco-talon:");
        Ingress in = one(objects, Ingress.class);
        assertThat(in.getSpec().getRules().get(0).getHost()).isEqualTo("talon.example");
        assertThat(in.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService().getName())
                .isEqualTo(d.getMetadata().getName());
        // the webhook's URL carries its token: the Secret, not the ConfigMap
        assertThat(secret(objects, "-secrets").getStringData())
                .containsEntry("NOTIFIERS_WEBHOOK_URL", "https://hooks.example/T0/secret-token");
        assertThat(configMap(objects).getData().toString()).doesNotContain("secret-token");
        // with an existing Secret, upstream's secret values have nowhere to go: a clear error
        Tools.Result r = helm("template", "t", CHART.toString(), "--set", "secrets.existingSecret=mine", "--set",
                "config.notifiers.slack.webhookUrl=https://hooks.example/x");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stderr()).contains("with secrets.existingSecret, put NOTIFIERS_SLACK_WEBHOOK_URL in that Secret");
        // the cloud keys of this chart's own spelling are refused in the ConfigMap, upstream's go to the Secret
        Tools.Result aws = helm("template", "t", CHART.toString(), "--set", "config.aws.secret_key=x");
        assertThat(aws.exitCode()).isNotZero();
        assertThat(aws.stderr()).contains("config.aws.secret_key is a secret: pass it as AWS_SECRET_KEY in secrets");
        List<HasMetadata> cloud = render("up-cloud", null, "config.aws.accessKey=AKIAEXAMPLE",
                "config.aws.secretKey=aws-s3cret", "config.aws.region=eu-west-1", "config.minio.useSsl=true");
        assertThat(secret(cloud, "-secrets").getStringData()).containsOnly(Map.entry("AWS_ACCESS_KEY", "AKIAEXAMPLE"),
                Map.entry("AWS_SECRET_KEY", "aws-s3cret"));
        Map<String, String> env = new java.util.HashMap<>(secret(cloud, "-secrets").getStringData());
        // the intake token's Secret is mounted only in the pod: point auth.token_file at a local file
        Path token = Files.createTempFile("token", "");
        Files.writeString(token, "a-token");
        env.put("AUTH_TOKEN_FILE", token.toString());
        TalonConfig c = TalonConfig.parse(configMap(cloud).getData().get("config.yaml"), "config.yaml", env);
        assertThat(c.aws().region()).isEqualTo("eu-west-1");
        assertThat(c.aws().secretKey()).isEqualTo("aws-s3cret");
        assertThat(c.minio().useSsl()).isTrue();
    }

    @Test
    void helmLintPassesWithUpstreamsValues() throws Exception {
        for (String f : List.of("charts/values.yaml", "charts/typical-user-values.yaml")) {
            Tools.Result r = helm("lint", "--strict", CHART.toString(), "-f", UPSTREAM.resolve(f).toString());
            assertThat(r.exitCode()).as(f + ": " + r.stdout() + r.stderr()).isZero();
        }
    }

    /** What upstream's config and Talon's both hold: upstream's keys. */
    private static void assertSameSettings(TalonConfig ours, TalonConfig theirs) {
        assertThat(ours.listenAddress()).isEqualTo(theirs.listenAddress());
        assertThat(ours.listenPort()).isEqualTo(theirs.listenPort());
        assertThat(ours.watchRules()).isEqualTo(theirs.watchRules());
        assertThat(ours.printAllEvents()).isEqualTo(theirs.printAllEvents());
        assertThat(ours.defaultNotifiers()).isEqualTo(theirs.defaultNotifiers());
        assertThat(ours.deduplication().leaderElection()).isEqualTo(theirs.deduplication().leaderElection());
        assertThat(ours.deduplication().timeWindowSeconds()).isEqualTo(theirs.deduplication().timeWindowSeconds());
        assertThat(ours.otel()).isEqualTo(theirs.otel());
        assertThat(ours.aws()).isEqualTo(theirs.aws());
        assertThat(ours.minio()).isEqualTo(theirs.minio());
        assertThat(NotifierValidator.configured(ours)).isEqualTo(NotifierValidator.configured(theirs));
    }

    private static ConfigMap configMap(List<HasMetadata> objects) {
        return objects.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .filter(m -> m.getData().containsKey("config.yaml")).findFirst().orElseThrow();
    }

    private static List<HasMetadata> render(String release, Path values, String... sets) throws Exception {
        return Helm.template(CHART, release, "falco", values, sets);
    }

    private static Tools.Result helm(String... args) throws Exception {
        return Helm.run(args);
    }
}
