package org.falcosecurity.talon.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.KubernetesSimulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.podFields;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.run;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.runOn;

/**
 * kubernetes:download, kubernetes:tcpdump and kubernetes:sysdig through the running Talon, on the fabric8 API
 * simulator: execs answer only the exact argument vector and return real bytes (a small valid pcap from the test
 * resources), the ephemeral container is added with a PATCH of pods/ephemeralcontainers, the sysdig Job is created,
 * found through its pod and deleted. The artifact goes to local:file (a real directory), where the test checks
 * bytes, key, mode and SHA-256. Failures: a file in no container, an image that never pulls.
 */
class CaptureActionnersSimulatorTest {

    private static final Path EVIDENCE = tempDirectory();
    private static final byte[] PCAP = readPcap();

    private static final String RULES = """
            - rule: download
              match: {rules: [download]}
              actions:
                - action: keep the file
                  actionner: kubernetes:download
                  parameters: {file: "${FD_NAME}"}
                  output: {target: local:file, parameters: {destination: "%1$s"}}
            - rule: tcpdump
              match: {rules: [tcpdump]}
              actions:
                - action: capture
                  actionner: kubernetes:tcpdump
                  parameters: {duration: 2, snaplen: 512}
                  output: {target: local:file, parameters: {destination: "%1$s"}}
            - rule: log
              match: {rules: [log]}
              actions:
                - action: keep the logs
                  actionner: kubernetes:log
                  parameters: {tail_lines: 20}
                  output: {target: local:file, parameters: {destination: "%1$s"}}
            - rule: sysdig
              match: {rules: [sysdig]}
              actions:
                - action: capture
                  actionner: kubernetes:sysdig
                  parameters: {duration: 3}
                  output: {target: local:file, parameters: {destination: "%1$s"}}
            """;

    @RegisterExtension
    static final KubernetesSimulator k8s = KubernetesSimulator.crud()
            .withTalon(b -> b.rules(RULES.formatted(EVIDENCE))
                    .property("talon.kubernetes.exec-timeout-seconds", "5")
                    .property("talon.kubernetes.capture-start-timeout-seconds", "2")
                    .property("talon.kubernetes.capture-poll-ms", "100"))
            .resetBeforeEach();

    private static Path tempDirectory() {
        try {
            return Files.createTempDirectory("talon-evidence");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] readPcap() {
        try {
            return Files.readAllBytes(Path.of("src/test/resources/captures/syn.pcap"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** The stored file the result points to: its bytes, mode 0600, its name the artifact's key. */
    private static byte[] stored(ActionResult r, String keySuffix) throws Exception {
        Path file = Path.of(r.getArtifact().location());
        assertThat(file.getParent()).isEqualTo(EVIDENCE);
        assertThat(file.getFileName().toString())
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\dZ_default_" + keySuffix);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        return Files.readAllBytes(file);
    }

    @Test
    void downloadTriesEachContainerAndStoresTheFileAsEvidence() throws Exception {
        K8s.pod(k8s.client(), "default", "web-1", Map.of(), null, "main", "sidecar");
        String hostile = "/tmp/x; rm -rf $(id)";
        CaptureFixtures.expectFailedExec(k8s.server(), "default", "web-1", "main", List.of("cat", "--", hostile), "cat: can't open: No such file");
        CaptureFixtures.expectExec(k8s.server(), "default", "web-1", "sidecar", List.of("cat", "--", hostile), PCAP, 0);
        ActionResult r = run(k8s.talon(), "download", podFields("default", "web-1", "fd.name", hostile));
        assertThat(r.getStatus()).as(r.getError()).isEqualTo("success");
        assertThat(r.getObjects()).containsEntry("container", "sidecar").containsEntry("file", hostile);
        assertThat(r.getArtifact().name()).isEqualTo(hostile);
        assertThat(r.getArtifact().target()).isEqualTo("local:file");
        assertThat(r.getArtifact().size()).isEqualTo(PCAP.length);
        assertThat(r.getArtifact().sha256()).isEqualTo(sha256(PCAP));
        assertThat(stored(r, "web-1__tmp_x__rm_-rf___id_")).isEqualTo(PCAP);
    }

    @Test
    void aFileInNoContainerIsAFailureNamingEachContainersError() throws Exception {
        K8s.pod(k8s.client(), "default", "web-2", Map.of(), null, "main", "sidecar");
        CaptureFixtures.expectFailedExec(k8s.server(), "default", "web-2", "main", List.of("cat", "--", "/etc/shadow"), "cat: /etc/shadow: No such file");
        CaptureFixtures.expectFailedExec(k8s.server(), "default", "web-2", "sidecar", List.of("cat", "--", "/etc/shadow"), "cat: /etc/shadow: denied");
        ActionResult r = run(k8s.talon(), "download", podFields("default", "web-2", "fd.name", "/etc/shadow"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).isEqualTo("cannot read '/etc/shadow' in any container of pod default/web-2 (main:"
                + " cat: /etc/shadow: No such file; sidecar: cat: /etc/shadow: denied)");
        try (var files = Files.list(EVIDENCE)) {
            assertThat(files.filter(f -> f.toString().contains("web-2")).toList()).isEmpty();
        }
    }

    @Test
    void tcpdumpAddsAnEphemeralContainerAndStoresThePcap() throws Exception {
        AtomicReference<JsonNode> added = CaptureFixtures.serveEphemeral(k8s.server(),
                K8s.podBuilder("default", "web-3", Map.of()).build(), true,
                List.of("timeout", "2", "tcpdump", "-n", "-i", "any", "-s", "512", "-U", "-w", "-"), PCAP);
        ActionResult r = run(k8s.talon(), "tcpdump", podFields("default", "web-3"));
        assertThat(r.getStatus()).as(r.getError()).isEqualTo("success");
        JsonNode ec = added.get();
        assertThat(ec.path("name").asText()).matches("falco-talon-tcpdump-[0-9a-f]{5}");
        assertThat(ec.path("image").asText()).isEqualTo("issif/tcpdump:latest");
        assertThat(ec.path("targetContainerName").asText()).isEqualTo("main");
        assertThat(r.getArtifact().name()).isEqualTo("tcpdump.pcap");
        assertThat(r.getArtifact().sha256()).isEqualTo(sha256(PCAP));
        assertThat(stored(r, "web-3_tcpdump.pcap")).isEqualTo(PCAP);
    }

    @Test
    void anImageThatNeverPullsFailsAfterTheStartTimeout() throws Exception {
        CaptureFixtures.serveEphemeral(k8s.server(), K8s.podBuilder("default", "web-4", Map.of()).build(), false,
                List.of(), PCAP);
        ActionResult r = run(k8s.talon(), "tcpdump", podFields("default", "web-4"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).matches("the ephemeral container falco-talon-tcpdump-[0-9a-f]{5} of pod"
                + " default/web-4 did not start within 2 s \\(ImagePullBackOff: Back-off pulling image\\)");
        assertThat(r.getArtifact()).isNull();
    }

    @Test
    void logWithAnOutputStoresTheLogsAsTheArtifactNotInTheResult() throws Exception {
        K8s.pod(k8s.client(), "default", "web-6", Map.of(), null);
        String logs = "GET /\n".repeat(3000);
        k8s.server().expect().get().withPath("/api/v1/namespaces/default/pods/web-6/log?pretty=false&container=main"
                + "&tailLines=20").andReturn(200, logs).always();
        ActionResult r = run(k8s.talon(), "log", podFields("default", "web-6"));
        assertThat(r.getStatus()).as(r.getError()).isEqualTo("success");
        assertThat(r.getOutput()).doesNotContain("GET /").contains("(" + logs.length() + " bytes)");
        assertThat(r.getArtifact().name()).isEqualTo("log");
        assertThat(new String(stored(r, "web-6_log"), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(logs);
    }

    @Test
    void sysdigRunsAJobOnThePodsNodeAndRemovesItAfterTheCapture() throws Exception {
        k8s.client().resource(K8s.podBuilder("default", "web-5", Map.of()).editSpec().withNodeName("node-7").endSpec()
                .editStatus().withContainerStatuses(new ContainerStatusBuilder().withName("main")
                        .withContainerID("containerd://0123456789abcdef0123456789abcdef").build()).endStatus()
                .build()).create();
        CaptureFixtures.expectExec(k8s.server(), "default", "sysdig-runner", "sysdig",
                CaptureFixtures.sysdigArgv(3, "0123456789abcdef0123456789abcdef"), new byte[0], 0);
        CaptureFixtures.expectExec(k8s.server(), "default", "sysdig-runner", "sysdig",
                List.of("cat", "/tmp/falco-talon.scap.gz"), PCAP, 0);
        CompletableFuture<Job> controller = CaptureFixtures.playJobController(k8s.client(), "default", "sysdig-runner");
        // the Falco of node-7 saw it (event provenance: the pod runs there)
        ActionResult r = runOn(k8s.talon(), "node-7", "sysdig", podFields("default", "web-5"));
        Job job = controller.get();
        assertThat(r.getStatus()).as(r.getError()).isEqualTo("success");
        assertThat(job.getSpec().getTemplate().getSpec().getNodeName()).isEqualTo("node-7");
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).isPositive();
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("issif/sysdig:latest");
        assertThat(r.getObjects()).containsEntry("job", job.getMetadata().getName()).containsEntry("node", "node-7");
        assertThat(k8s.client().batch().v1().jobs().inNamespace("default").list().getItems()).isEmpty();
        assertThat(r.getArtifact().name()).isEqualTo("sysdig.scap.gz");
        assertThat(stored(r, "web-5_sysdig.scap.gz")).isEqualTo(PCAP);
    }
}
