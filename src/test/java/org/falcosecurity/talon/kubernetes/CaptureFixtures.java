package org.falcosecurity.talon.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EphemeralContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.StatusStreamMessage;
import io.fabric8.mockwebserver.internal.WebSocketMessage;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.falcosecurity.talon.kubernetes.ExecActionnersSimulatorTest.execPath;

/**
 * What the capture actionners need from the API simulator: execs that answer real bytes, a pod whose ephemeral
 * container appears once Talon PATCHes it in, and a stand-in for the Job controller. (The simulator's reply
 * callbacks run on its event loop: they never call the API themselves.)
 */
final class CaptureFixtures {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CaptureFixtures() {
    }

    /** An exec answered with these bytes on standard output (binary, stream 1), then this exit status. */
    static void expectExec(KubernetesMockServer server, String ns, String pod, String container, List<String> argv,
                           byte[] stdout, int exit) {
        expect(server, ns, pod, container, argv, 1, stdout, exit);
    }

    /** An exec that writes {@code stderr} and exits 1. */
    static void expectFailedExec(KubernetesMockServer server, String ns, String pod, String container,
                                 List<String> argv, String stderr) {
        expect(server, ns, pod, container, argv, 2, stderr.getBytes(StandardCharsets.UTF_8), 1);
    }

    private static void expect(KubernetesMockServer server, String ns, String pod, String container,
                               List<String> argv, int stream, byte[] data, int exit) {
        byte[] frame = new byte[data.length + 1];
        frame[0] = (byte) stream;
        System.arraycopy(data, 0, frame, 1, data.length);
        server.expect().get().withPath(execPath(ns, pod, container, argv)).andUpgradeToWebSocket()
                .open(new WebSocketMessage(0L, frame, false, true), new StatusStreamMessage(exit))
                .expect("never sent").andEmit(new StatusStreamMessage(0)).always().done().always();
    }

    /**
     * Serves {@code pod} (GET) and the PATCH of its ephemeral containers: after the PATCH, the pod's status shows
     * the added container running (and its exec of {@code argv} answers {@code pcap}, exit 124 as {@code timeout}
     * ends tcpdump), or waiting for an image that never pulls. Returns the container as Talon sent it.
     */
    static AtomicReference<JsonNode> serveEphemeral(KubernetesMockServer server, Pod pod, boolean running,
                                                    List<String> argv, byte[] pcap) {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        String path = "/api/v1/namespaces/" + ns + "/pods/" + name;
        AtomicReference<JsonNode> added = new AtomicReference<>();
        server.expect().get().withPath(path).andReply(200, req -> withEphemeral(pod, added.get(), running)).always();
        server.expect().patch().withPath(path + "/ephemeralcontainers").andReply(200, req -> {
            try {
                JsonNode ec = JSON.readTree(req.getBody().readUtf8()).path("spec").path("ephemeralContainers")
                        .get(0);
                if (running) {
                    expectExec(server, ns, name, ec.path("name").asText(), argv, pcap, 124);
                }
                added.set(ec);
                return withEphemeral(pod, ec, running);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).always();
        return added;
    }

    private static Pod withEphemeral(Pod pod, JsonNode ec, boolean running) {
        if (ec == null) {
            return pod;
        }
        var status = new ContainerStatusBuilder().withName(ec.path("name").asText())
                .withImage(ec.path("image").asText()).withImageID("").withReady(running).withRestartCount(0);
        status = running ? status.withNewState().withNewRunning().endRunning().endState()
                : status.withNewState().withNewWaiting().withReason("ImagePullBackOff")
                .withMessage("Back-off pulling image").endWaiting().endState();
        // as the API server does: the container in the spec, its state in the status
        return new PodBuilder(pod).editSpec().withEphemeralContainers(new EphemeralContainerBuilder()
                        .withName(ec.path("name").asText()).withImage(ec.path("image").asText()).build()).endSpec()
                .editStatus().withEphemeralContainerStatuses(status.build()).endStatus().build();
    }

    /**
     * Plays the Job controller: once a Job exists in {@code ns}, creates its pod {@code runner} (running), as the
     * Job's template says. Completes with the Job as Talon created it.
     */
    static CompletableFuture<Job> playJobController(KubernetesClient client, String ns, String runner) {
        return CompletableFuture.supplyAsync(() -> {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() ->
                    !client.batch().v1().jobs().inNamespace(ns).list().getItems().isEmpty());
            Job job = client.batch().v1().jobs().inNamespace(ns).list().getItems().get(0);
            client.resource(new PodBuilder().withNewMetadata().withNamespace(ns).withName(runner)
                    .addToLabels("batch.kubernetes.io/job-name", job.getMetadata().getName()).endMetadata()
                    .withSpec(job.getSpec().getTemplate().getSpec())
                    .withNewStatus().withPhase("Running").withContainerStatuses(new ContainerStatusBuilder()
                            .withName("sysdig").withNewState().withNewRunning().endRunning().endState().build())
                    .endStatus().build()).create();
            return job;
        });
    }

    /** The argument vector of the sysdig capture for a pod whose one container has this id. */
    static List<String> sysdigArgv(int duration, String containerId) {
        return List.of("sysdig", "--modern-bpf", "--cri", "/run/containerd/containerd.sock", "-M",
                String.valueOf(duration), "-s", "2048", "-z", "-w", "/tmp/falco-talon.scap.gz",
                "container.id in (" + containerId.substring(0, 12) + ")");
    }
}
