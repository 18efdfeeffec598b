package org.falcosecurity.talon.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.falcosecurity.talon.builtins.Builtins;
import org.falcosecurity.talon.catalog.Catalog;
import org.falcosecurity.talon.config.ConfigLocator;
import org.falcosecurity.talon.config.RouteFiles;
import org.falcosecurity.talon.config.TalonConfig;
import org.falcosecurity.talon.rules.load.LoadResult;
import org.falcosecurity.talon.rules.load.RuleSource;
import org.falcosecurity.talon.rules.load.RulesLoader;
import org.falcosecurity.talon.support.Tools;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The container image tarball that {@code ./mvnw -Pimage package} writes ({@code .ci/image-check} builds it before
 * the tests, and also runs it): its config names the {@code server} command and a non-root user, and its layers hold
 * the Java runtime, the application and the default config and rules at /etc/falco-talon.
 */
class ImageTarballTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path TARBALL = Path.of("target/falco-talon-image.tar");

    private static JsonNode config;
    private static JsonNode manifest;
    /** Path in the image (no leading slash) → entry, last layer wins. */
    private static final Map<String, TarArchiveEntry> FILES = new HashMap<>();
    private static final Map<String, byte[]> CONTENT = new HashMap<>();

    @BeforeAll
    static void read() throws IOException {
        if (!Files.isRegularFile(TARBALL)) {
            String msg = TARBALL + " is missing: build it with ./mvnw -Pimage package (or .ci/image-check)";
            if (Tools.underCi()) {
                throw new AssertionError(msg + "; CI builds it in .ci/image-check before the tests");
            }
            Assumptions.abort(msg);
        }
        Map<String, byte[]> blobs = new HashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new BufferedInputStream(
                Files.newInputStream(TARBALL)))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                if (e.isFile()) {
                    blobs.put(e.getName(), tar.readAllBytes());
                }
            }
        }
        manifest = JSON.readTree(blobs.get("manifest.json")).get(0);
        config = JSON.readTree(blobs.get(manifest.path("Config").asText()));
        List<String> layers = new ArrayList<>();
        manifest.path("Layers").forEach(l -> layers.add(l.asText()));
        assertThat(config.at("/rootfs/diff_ids").size()).isEqualTo(layers.size());
        for (String layer : layers) {
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(
                    new ByteArrayInputStream(blobs.get(layer))))) {
                for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                    String name = e.getName().replaceFirst("^\\./", "").replaceFirst("^/", "");
                    FILES.put(name, e);
                    if (e.isFile() && (name.startsWith("etc/") || name.startsWith("app/jib-"))) {
                        CONTENT.put(name, tar.readAllBytes());
                    }
                }
            }
        }
    }

    @Test
    void runsTheServerCommandAsANonRootUser() throws Exception {
        JsonNode c = config.path("config");
        List<String> entrypoint = new ArrayList<>();
        c.path("Entrypoint").forEach(n -> entrypoint.add(n.asText()));
        assertThat(entrypoint.get(0)).isEqualTo("java");
        assertThat(entrypoint).contains("-XX:MaxRAMPercentage=40", "-XX:+UseSerialGC", "-Djava.io.tmpdir=/tmp")
                .endsWith("org.falcosecurity.talon.TalonApplication");
        assertThat(c.path("Cmd").toString()).isEqualTo("[\"server\"]");

        String user = c.path("User").asText();
        assertThat(user).matches("\\d+:\\d+");
        int uid = Integer.parseInt(user.split(":")[0]);
        assertThat(uid).as("a numeric non-root user, so Kubernetes can verify runAsNonRoot").isPositive();
        assertThat(new String(CONTENT.get("etc/passwd"), StandardCharsets.UTF_8))
                .contains("falco-talon:x:" + uid + ":" + user.split(":")[1] + ":");

        assertThat(c.path("ExposedPorts").has("2803/tcp")).isTrue();
        assertThat(manifest.path("RepoTags").toString())
                .contains("falco-talon:" + KubernetesManifestsSimulatorTest.projectVersion());
        assertThat(c.path("Env").toString()).contains("PATH=/opt/java/bin");
        assertThat(config.path("os").asText()).isEqualTo("linux");
    }

    @Test
    void holdsTheRuntimeTheApplicationAndAWritableTmpOnly() {
        assertThat(FILES).containsKeys("opt/java/bin/java", "opt/java/lib/modules", "opt/java/lib/security/cacerts",
                "app/jib-classpath-file", "app/classpath/falco-talon.jar");
        assertThat(FILES.keySet()).anyMatch(n -> n.matches("app/libs/camel-main-4\\.17\\.0\\.jar"));
        assertThat(FILES.keySet()).noneMatch(n -> n.startsWith("app/libs/") && (n.contains("junit")
                || n.contains("kubernetes-server-mock") || n.contains("assertj")));
        assertThat(FILES.get("opt/java/bin/java").getMode() & 0111).isNotZero();
        // the runtime's class data sharing archive of its own classes (jlink --generate-cds-archive), used with no flag
        assertThat(FILES).containsKey("opt/java/lib/server/classes.jsa");
        assertThat(FILES.get("opt/java/lib/server/classes.jsa").getSize()).isGreaterThan(1_000_000);
        // the only world-writable directory is /tmp (sticky); every file belongs to root, read-only to the user
        TarArchiveEntry tmp = FILES.get("tmp/") != null ? FILES.get("tmp/") : FILES.get("tmp");
        assertThat(tmp).isNotNull();
        assertThat(tmp.getMode() & 01777).isEqualTo(01777);
        FILES.forEach((name, e) -> {
            // (a symbolic link's own mode means nothing)
            if (!name.startsWith("tmp") && !e.isSymbolicLink()) {
                assertThat(e.getMode() & 0002).as(name + " is not world-writable").isZero();
                assertThat(e.getLongUserId()).as(name + " belongs to root").isZero();
            }
        });
        String classpath = new String(CONTENT.get("app/jib-classpath-file"), StandardCharsets.UTF_8);
        // the application as one jar (a CDS archive holds no class read from a directory), then its libraries
        assertThat(classpath).startsWith("/app/classpath/*:/app/libs/");
    }

    @Test
    void shipsTheApplicationsClassDataSharingArchiveAndMapsIt() {
        if (!FILES.containsKey("app/talon.jsa") && !Tools.underCi()) {
            Assumptions.abort("app/talon.jsa is made only by a root build (src/main/image/train-cds.sh)");
        }
        // made by src/main/image/train-cds.sh in a chroot of the image; .ci/image-check runs it with -Xshare:on
        assertThat(FILES).containsKey("app/talon.jsa");
        assertThat(FILES.get("app/talon.jsa").getSize()).isGreaterThan(10_000_000);
        assertThat(FILES.get("app/talon.jsa").getLongUserId()).isZero();
        assertThat(FILES.get("app/talon.jsa").getMode() & 0222).as("read-only to the image's user").isEqualTo(0200);
        List<String> entrypoint = new ArrayList<>();
        config.at("/config/Entrypoint").forEach(n -> entrypoint.add(n.asText()));
        assertThat(entrypoint).contains("-XX:SharedArchiveFile=/app/talon.jsa");
        assertThat(config.at("/history").toString()).contains("train-cds.sh");
    }

    @Test
    void shipsTheDefaultConfigAndRulesAtEtcFalcoTalon() throws Exception {
        String configYaml = new String(CONTENT.get("etc/falco-talon/config.yaml"), StandardCharsets.UTF_8);
        String rulesYaml = new String(CONTENT.get("etc/falco-talon/rules.yaml"), StandardCharsets.UTF_8);
        assertThat(configYaml).isEqualTo(Files.readString(Path.of("config.yaml")));
        assertThat(rulesYaml).isEqualTo(Files.readString(Path.of("rules/rules.yaml")));
        assertThat(ConfigLocator.DEFAULT_CONFIG.toString()).isEqualTo("/etc/falco-talon/config.yaml");
        TalonConfig.parse(configYaml, "image:/etc/falco-talon/config.yaml", Map.of());
        Catalog catalog = Catalog.of(RouteFiles.resolve(null).fromUris(), Builtins.declarations());
        LoadResult r = new RulesLoader(catalog).load(List.of(new RuleSource("rules.yaml", rulesYaml, null)));
        assertThat(r.errors()).isEmpty();
    }
}
