package org.falcosecurity.talon.actionners.kubernetes.capture;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.falcosecurity.talon.catalog.ActionnerSpec;
import org.falcosecurity.talon.catalog.Checks;
import org.falcosecurity.talon.catalog.OutputUse;
import org.falcosecurity.talon.catalog.ParamSpec;
import org.falcosecurity.talon.catalog.Permission;
import org.falcosecurity.talon.contract.ActionStop;
import org.falcosecurity.talon.contract.Artifact;
import org.falcosecurity.talon.contract.Outcome;
import org.falcosecurity.talon.kubernetes.KubernetesTarget;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.falcosecurity.talon.actionners.kubernetes.KubernetesDeclarations.POD_FIELDS;
import static org.falcosecurity.talon.actionners.kubernetes.KubernetesDeclarations.concat;

/**
 * {@code kubernetes:sysdig}: a Job pinned to the pod's node (upstream's image by default, privileged, the host's
 * root at {@code /host}) whose pod sleeps; once it runs, Talon execs
 * {@code sysdig --modern-bpf --cri /run/containerd/containerd.sock -M <duration> -s <buffer_size> -z -w <file>}
 * there (with {@code scope: pod}, filtered on the pod's container ids), then streams the capture out with
 * {@code cat} into the artifact spool, and deletes the Job. The Job also ends by itself: its pod has an active
 * deadline, and the Job a TTL after it finishes.
 */
public final class SyscallCapture {

    public static final String DEFAULT_IMAGE = "issif/sysdig:latest";
    static final String NAME_BASE = "falco-talon-sysdig-";
    static final String ARTIFACT_NAME = "sysdig.scap.gz";
    static final String CAPTURE_FILE = "/tmp/falco-talon.scap.gz";
    /** Seconds a finished capture Job is kept before Kubernetes removes it (Talon deletes it first). */
    static final int TTL_AFTER_FINISHED = 60;
    private static final Pattern CONTAINER_ID = Pattern.compile("^[0-9a-f]{12,64}$");

    public static final ActionnerSpec SPEC = ActionnerSpec.builder("kubernetes:sysdig")
            .description("Capture the system calls of the pod, or of its node, with sysdig")
            .source("syscalls, k8saudit")
            .defaultContinue(false)
            .requiredFields(POD_FIELDS)
            .param(ParamSpec.of("image", ParamSpec.Type.STRING).withCheck(Checks.NOT_BLANK)
                    .withDefault(DEFAULT_IMAGE).describedAs("The image of the capture Job (it needs sysdig and cat)"))
            .param(ParamSpec.of("duration", ParamSpec.Type.INTEGER).withCheck(v -> PacketCapture.range(v, 1, 30))
                    .withDefault(5).describedAs("Seconds of capture (1 to 30)"))
            .param(ParamSpec.of("buffer_size", ParamSpec.Type.INTEGER)
                    .withCheck(v -> PacketCapture.range(v, 128, 1 << 20))
                    .withDefault(2048).describedAs("Bytes of buffer recorded for each event (sysdig -s, 128 or more)"))
            .param(ParamSpec.of("scope", ParamSpec.Type.STRING).withCheck(Checks.oneOf("pod", "node"))
                    .withDefault("pod").describedAs("`pod`: the pod's containers only; `node`: the whole node"))
            .output(OutputUse.REQUIRED)
            .permissions("sysdig", concat(
                    Permission.of("", "pods", "read the pod, find the Job's pod; the client checks it is ready"
                            + " before exec", "get", "list", "watch"),
                    Permission.of("batch", "jobs", "run the capture Job on the pod's node, check it, remove it",
                            "create", "get", "delete"),
                    Permission.of("", "pods/exec", "run sysdig and copy the capture out: a WebSocket GET,"
                            + " authorized as create from Kubernetes 1.30", "get", "create")))
            .example("""
                    - action: Capture the syscalls
                      actionner: kubernetes:sysdig
                      continue: true
                      parameters:
                        duration: 10
                        buffer_size: 2048
                        scope: pod
                      output:
                        target: aws:s3
                        parameters:
                          bucket: my-bucket
                          prefix: /captures/
                    """)
            .build();

    private final CaptureSettings settings;

    public SyscallCapture(CaptureSettings settings) {
        this.settings = settings;
    }

    public Outcome capture(@ExchangeProperty(KubernetesTarget.POD_PROPERTY) Pod pod,
                           @Header("TalonParameters") Map<String, Object> params) {
        KubernetesClient client = settings.cluster().client();
        String ns = pod.getMetadata().getNamespace();
        int duration = ((Number) params.getOrDefault("duration", 5)).intValue();
        int buffer = ((Number) params.getOrDefault("buffer_size", 2048)).intValue();
        String scope = String.valueOf(params.getOrDefault("scope", "pod"));
        Map<String, String> objects = KubernetesTarget.objects(pod);
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (node == null || node.isEmpty()) {
            throw ActionStop.failure("pod " + KubernetesTarget.ref(pod) + " is not scheduled on a node"
                    + " (spec.nodeName is empty)").withObjects(objects);
        }
        List<String> argv = new ArrayList<>(List.of("sysdig", "--modern-bpf", "--cri",
                "/run/containerd/containerd.sock", "-M", String.valueOf(duration), "-s", String.valueOf(buffer), "-z",
                "-w", CAPTURE_FILE));
        if (scope.equals("pod")) {
            argv.add("container.id in (" + String.join(",", containerIds(pod)) + ")");
        }
        int lifetime = duration + (int) (settings.execSlack().toSeconds() * 2)
                + (int) settings.startTimeout().toSeconds();
        Job job = client.batch().v1().jobs().inNamespace(ns).resource(job(node, lifetime, params)).create();
        String jobName = job.getMetadata().getName();
        objects.put("job", jobName);
        objects.put("node", node);
        try {
            return run(client, ns, jobName, argv, duration, pod, objects);
        } finally {
            try {
                client.batch().v1().jobs().inNamespace(ns).withName(jobName).withPropagationPolicy(
                        io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete();
            } catch (KubernetesClientException e) {
                // its TTL and active deadline remove it anyway
            }
        }
    }

    private Outcome run(KubernetesClient client, String ns, String jobName, List<String> argv, int duration,
                        Pod target, Map<String, String> objects) {
        PodStreams streams = new PodStreams(client, settings.poll(), settings.startTimeout());
        Pod runner;
        try {
            runner = streams.awaitRunning("the capture Job " + ns + "/" + jobName, () -> jobPod(client, ns, jobName),
                    p -> p.getStatus() == null || p.getStatus().getContainerStatuses() == null ? null
                            : p.getStatus().getContainerStatuses().stream().findFirst().orElse(null));
        } catch (ActionStop s) {
            throw s.withObjects(objects);
        }
        String runnerName = runner.getMetadata().getName();
        String container = runner.getSpec().getContainers().get(0).getName();
        String where = "in pod " + ns + "/" + runnerName + " of the capture Job";
        PodStreams.Exit exit;
        try {
            exit = streams.exec(ns, runnerName, container, argv, java.io.OutputStream.nullOutputStream(),
                    Duration.ofSeconds(duration).plus(settings.execSlack()));
        } catch (ActionStop s) {
            throw s.withObjects(objects);
        }
        if (exit.code() != null && exit.code() != 0) {
            throw ActionStop.failure(PodStreams.failed("sysdig", exit, where)).withObjects(objects);
        }
        Artifact a = streams.toArtifact(settings.spool(), ARTIFACT_NAME, ns, runnerName, container,
                List.of("cat", CAPTURE_FILE), settings.execSlack(), code -> code == 0, "cat", where, objects);
        return new Outcome("a sysdig capture '" + ARTIFACT_NAME + "' of " + duration + " s has been created for pod "
                + KubernetesTarget.ref(target) + " (" + a.size() + " bytes)", objects, a);
    }

    /** The Job's pod, once there is one; a failure when the Job failed. */
    private static Pod jobPod(KubernetesClient client, String ns, String jobName) {
        Job j = client.batch().v1().jobs().inNamespace(ns).withName(jobName).get();
        if (j == null) {
            return null;
        }
        if (j.getStatus() != null && j.getStatus().getFailed() != null && j.getStatus().getFailed() > 0) {
            throw ActionStop.failure("the capture Job " + ns + "/" + jobName + " failed");
        }
        List<Pod> pods = client.pods().inNamespace(ns).withLabel("batch.kubernetes.io/job-name", jobName).list()
                .getItems();
        // no pod yet: a pod with no status, so the wait goes on
        return pods.isEmpty() ? new Pod() : pods.get(0);
    }

    private static Job job(String node, int lifetime, Map<String, Object> params) {
        String name = PodStreams.name(NAME_BASE);
        Map<String, String> labels = Map.of("app.kubernetes.io/managed-by", "falco-talon",
                "app.kubernetes.io/name", "falco-talon-sysdig", "app.kubernetes.io/part-of", "falco-talon");
        return new JobBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withTtlSecondsAfterFinished(TTL_AFTER_FINISHED).withBackoffLimit(0)
                .withCompletions(1).withActiveDeadlineSeconds((long) lifetime + 10)
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec().withNodeName(node).withRestartPolicy("Never").withTerminationGracePeriodSeconds(1L)
                .addNewContainer().withName("sysdig")
                .withImage(String.valueOf(params.getOrDefault("image", DEFAULT_IMAGE)))
                .withCommand("sleep", String.valueOf(lifetime))
                .withNewSecurityContext().withPrivileged(true).withRunAsUser(0L).endSecurityContext()
                .addNewVolumeMount().withName("host-fs").withMountPath("/host").endVolumeMount()
                .endContainer()
                .addNewVolume().withName("host-fs").withNewHostPath().withPath("/").endHostPath().endVolume()
                .endSpec().endTemplate().endSpec().build();
    }

    /** The short ids of the pod's containers, as sysdig's {@code container.id} filter takes them. */
    private static List<String> containerIds(Pod pod) {
        List<String> ids = new ArrayList<>();
        List<ContainerStatus> statuses = pod.getStatus() == null ? null : pod.getStatus().getContainerStatuses();
        if (statuses != null) {
            for (ContainerStatus s : statuses) {
                String id = s.getContainerID();
                if (id == null) {
                    continue;
                }
                id = id.substring(id.indexOf("://") + (id.contains("://") ? 3 : 0));
                if (CONTAINER_ID.matcher(id).matches()) {
                    ids.add(id.substring(0, 12));
                }
            }
        }
        if (ids.isEmpty()) {
            throw ActionStop.failure("pod " + KubernetesTarget.ref(pod) + " has no container ids in its status:"
                    + " nothing to filter the capture on (scope: node captures the whole node)");
        }
        return ids;
    }
}
