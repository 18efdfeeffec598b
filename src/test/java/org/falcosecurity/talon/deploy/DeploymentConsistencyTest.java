package org.falcosecurity.talon.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.falcosecurity.talon.support.DeploymentChecks;
import org.falcosecurity.talon.support.K8sManifests;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deployment paths describe the same container: kubernetes/deployment.yaml, the Helm chart's appVersion, the
 * Camel K Integration and the camel.jbang.* settings of application.properties (image, port, probes, resources,
 * user, mounts), all at the project's version and Camel version.
 */
class DeploymentConsistencyTest {

    private static final YAMLMapper YAML = new YAMLMapper();

    @Test
    void everyPathRunsTheImageOfThisVersion() throws Exception {
        String version = KubernetesManifestsSimulatorTest.projectVersion();
        assertThat(plainContainer().getImage()).isEqualTo("falco-talon:" + version);
        JsonNode chart = YAML.readTree(Path.of("kubernetes/helm/falco-talon/Chart.yaml").toFile());
        assertThat(chart.path("appVersion").asText()).isEqualTo(version);
        assertThat(YAML.readTree(Path.of("kubernetes/helm/falco-talon/values.yaml").toFile())
                .at("/image/repository").asText()).isEqualTo("falco-talon");
        JsonNode traits = integration().at("/spec/traits");
        assertThat(traits.at("/container/image").asText()).isEqualTo("falco-talon:" + version);
        assertThat(jbang().getProperty("camel.jbang.dependencies"))
                .isEqualTo("mvn:org.falcosecurity.talon:falco-talon:" + version);
    }

    @Test
    void camelKAndCamelJBangDescribeTheContainerOfTheManifests() throws Exception {
        Container c = plainContainer();
        Deployment d = plainDeployment();
        JsonNode traits = integration().at("/spec/traits");
        Properties p = jbang();
        String user = String.valueOf(d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser());

        assertThat(traits.at("/container/port").asInt()).isEqualTo(2803);
        assertThat(p.getProperty("camel.jbang.trait.container.port")).isEqualTo("2803");
        assertThat(traits.at("/container/runAsUser").asText()).isEqualTo(user);
        assertThat(p.getProperty("camel.jbang.trait.container.run-as-user")).isEqualTo(user);
        assertThat(traits.at("/container/allowPrivilegeEscalation").asBoolean()).isFalse();
        assertThat(traits.at("/container/capabilitiesDrop/0").asText()).isEqualTo("ALL");

        assertThat(traits.at("/container/requestMemory").asText())
                .isEqualTo(c.getResources().getRequests().get("memory").toString())
                .isEqualTo(p.getProperty("camel.jbang.trait.container.request-memory"));
        assertThat(traits.at("/container/limitMemory").asText())
                .isEqualTo(c.getResources().getLimits().get("memory").toString())
                .isEqualTo(p.getProperty("camel.jbang.trait.container.limit-memory"));
        assertThat(traits.at("/container/requestCPU").asText())
                .isEqualTo(c.getResources().getRequests().get("cpu").toString())
                .isEqualTo(p.getProperty("camel.jbang.trait.container.request-cpu"));

        assertThat(traits.at("/health/livenessProbe").asText()).isEqualTo(c.getLivenessProbe().getHttpGet().getPath())
                .isEqualTo(p.getProperty("camel.jbang.trait.health.liveness-probe"));
        assertThat(traits.at("/health/readinessProbe").asText())
                .isEqualTo(c.getReadinessProbe().getHttpGet().getPath())
                .isEqualTo(p.getProperty("camel.jbang.trait.health.readiness-probe"));

        // the config and rules ConfigMap of kubernetes/configmap.yaml, at the directory the image reads
        List<String> jbangMounts = List.of(p.getProperty("camel.jbang.trait.mount.resources").split(","));
        assertThat(traits.at("/mount/resources/0").asText()).isEqualTo("configmap:falco-talon@/etc/falco-talon")
                .isEqualTo(jbangMounts.get(0));
        assertThat(traits.at("/mount/resources/1").asText())
                .isEqualTo("configmap:falco-talon-routes@/etc/falco-talon/routes");
        // the intake's token: the Secret of kubernetes/deployment.yaml, at the directory config.yaml names
        String tokenDir = DeploymentChecks.mountAt(c, "/etc/falco-talon-auth").getMountPath();
        String tokenSecret = DeploymentChecks.volume(d.getSpec().getTemplate().getSpec(), "auth").getSecret()
                .getSecretName();
        assertThat(traits.at("/mount/resources/2").asText()).isEqualTo("secret:" + tokenSecret + "@" + tokenDir)
                .isEqualTo(jbangMounts.get(1));
        assertThat(traits.at("/mount/emptyDirs/0").asText()).startsWith("tmp:/tmp")
                .isEqualTo(p.getProperty("camel.jbang.trait.mount.empty-dirs"));
        assertThat(integration().at("/spec/serviceAccountName").asText())
                .isEqualTo(d.getSpec().getTemplate().getSpec().getServiceAccountName());
    }

    @Test
    void camelJBangUsesThisCamelVersionAndCamelMain() throws Exception {
        Properties p = jbang();
        Properties v = new Properties();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("falco-talon-version.properties")) {
            v.load(in);
        }
        assertThat(p.getProperty("camel.jbang.camel-version")).isEqualTo(v.getProperty("camel"));
        assertThat(p.getProperty("camel.jbang.runtime")).isEqualTo("camel-main");
        assertThat(p.getProperty("camel.jbang.javaVersion")).isEqualTo("17");
    }

    private static Deployment plainDeployment() throws Exception {
        return KubernetesManifestsSimulatorTest.one(K8sManifests.load(
                Files.readString(Path.of("kubernetes/deployment.yaml")), "deployment.yaml"), Deployment.class);
    }

    private static Container plainContainer() throws Exception {
        return plainDeployment().getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static JsonNode integration() throws Exception {
        return YAML.readTree(Path.of("kubernetes/camel-k/integration.yaml").toFile());
    }

    private static Properties jbang() throws Exception {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("application.properties"))) {
            p.load(in);
        }
        return p;
    }
}
