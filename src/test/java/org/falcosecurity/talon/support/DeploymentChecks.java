package org.falcosecurity.talon.support;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.falcosecurity.talon.builtins.Builtins;
import org.falcosecurity.talon.catalog.Catalog;
import org.falcosecurity.talon.config.RouteFiles;
import org.falcosecurity.talon.config.TalonConfig;
import org.falcosecurity.talon.rules.load.LoadResult;
import org.falcosecurity.talon.rules.load.RuleSource;
import org.falcosecurity.talon.rules.load.RulesLoader;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What every Talon Deployment must be, whether it comes from kubernetes/ or from the Helm chart. */
public final class DeploymentChecks {

    private DeploymentChecks() {
    }

    /**
     * Non-root, no privilege escalation, no capabilities, read-only root with a writable /tmp, probes on /healthz and
     * /readyz, requests and limits, and the config ConfigMap mounted as a directory (never with subPath).
     */
    public static Container assertHardened(Deployment d, String configMapName) {
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        assertThat(pod.getContainers()).hasSize(1);
        Container c = pod.getContainers().get(0);

        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getPrivileged()).isFalse();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();

        assertThat(c.getPorts()).anySatisfy(p -> {
            assertThat(p.getName()).isEqualTo("http");
            assertThat(p.getContainerPort()).isEqualTo(2803);
        });
        assertProbe(c.getLivenessProbe(), "/healthz");
        assertProbe(c.getStartupProbe(), "/healthz");
        assertProbe(c.getReadinessProbe(), "/readyz");

        assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).containsKey("memory");

        for (VolumeMount m : c.getVolumeMounts()) {
            assertThat(m.getSubPath()).as("volume " + m.getName() + " is mounted without subPath").isNull();
        }
        VolumeMount config = mountAt(c, "/etc/falco-talon");
        Volume configVolume = volume(pod, config.getName());
        assertThat(configVolume.getConfigMap().getName()).isEqualTo(configMapName);
        assertThat(configVolume.getConfigMap().getItems()).as("every key of the ConfigMap is a file").isNullOrEmpty();
        VolumeMount tmp = mountAt(c, "/tmp");
        assertThat(volume(pod, tmp.getName()).getEmptyDir()).isNotNull();
        return c;
    }

    /** The mount of the routes directory: an optional ConfigMap. */
    public static void assertRoutesMount(Deployment d, String routesDirectory) {
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        VolumeMount routes = mountAt(pod.getContainers().get(0), routesDirectory);
        assertThat(volume(pod, routes.getName()).getConfigMap().getOptional()).isTrue();
    }

    /** The ConfigMap's config.yaml is a valid Talon config, and its rule files are valid rules. */
    public static TalonConfig assertValidTalonConfig(ConfigMap cm, List<String> ruleKeys) throws Exception {
        return assertValidTalonConfig(cm, ruleKeys, Map.of());
    }

    /** The same, with environment variables (files that exist only in the pod, such as a keystore). */
    public static TalonConfig assertValidTalonConfig(ConfigMap cm, List<String> ruleKeys, Map<String, String> env)
            throws Exception {
        Map<String, String> data = cm.getData();
        Map<String, String> e = new java.util.HashMap<>(env);
        if (data.get("config.yaml").contains("token_file: /etc/falco-talon-auth/") && !e.containsKey("AUTH_TOKEN_FILE")) {
            // the token's Secret is mounted only in the pod: point the check at a local file
            java.nio.file.Path token = java.nio.file.Files.createTempFile("token", "");
            java.nio.file.Files.writeString(token, "a-token");
            e.put("AUTH_TOKEN_FILE", token.toString());
        }
        TalonConfig config = TalonConfig.parse(data.get("config.yaml"), cm.getMetadata().getName() + "/config.yaml",
                e);
        Catalog catalog = Catalog.of(RouteFiles.resolve(null).fromUris(), Builtins.declarations());
        List<RuleSource> sources = new ArrayList<>();
        for (String k : ruleKeys) {
            assertThat(data).containsKey(k);
            sources.add(new RuleSource(k, data.get(k), null));
        }
        LoadResult r = new RulesLoader(catalog).load(sources);
        assertThat(r.errors()).as("rules of ConfigMap " + cm.getMetadata().getName()).isEmpty();
        for (String n : config.defaultNotifiers()) {
            assertThat(catalog.hasNotifier(n)).as("default notifier " + n).isTrue();
        }
        return config;
    }

    private static void assertProbe(Probe p, String path) {
        assertThat(p).as("probe on " + path).isNotNull();
        assertThat(p.getHttpGet().getPath()).isEqualTo(path);
        assertThat(p.getHttpGet().getPort().getStrVal()).isEqualTo("http");
    }

    public static VolumeMount mountAt(Container c, String path) {
        return c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume mounted at " + path));
    }

    public static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }
}
