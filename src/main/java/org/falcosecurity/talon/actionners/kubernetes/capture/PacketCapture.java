package org.falcosecurity.talon.actionners.kubernetes.capture;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.EphemeralContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
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
import org.falcosecurity.talon.kubernetes.Containers;
import org.falcosecurity.talon.kubernetes.KubernetesTarget;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.falcosecurity.talon.actionners.kubernetes.KubernetesDeclarations.POD_FIELDS;
import static org.falcosecurity.talon.actionners.kubernetes.KubernetesDeclarations.concat;

/**
 * {@code kubernetes:tcpdump}: adds an ephemeral container (upstream's image by default, privileged, targeting the
 * pod's container so it shares its network namespace) that sleeps, waits until it runs, then execs
 * {@code timeout <duration> tcpdump -n -i any -s <snaplen> -U -w -} in it: the pcap streams out on standard output
 * into the artifact spool. An ephemeral container cannot be removed; it exits when its sleep ends.
 */
public final class PacketCapture {

    public static final String DEFAULT_IMAGE = "issif/tcpdump:latest";
    static final String NAME_BASE = "falco-talon-tcpdump-";
    static final String ARTIFACT_NAME = "tcpdump.pcap";
    /** How long the ephemeral container outlives the capture (time to stream the pcap out). */
    static final int LINGER_SECONDS = 60;

    public static final ActionnerSpec SPEC = ActionnerSpec.builder("kubernetes:tcpdump")
            .description("Capture the network packets of the pod")
            .source("syscalls")
            .defaultContinue(false)
            .requiredFields(POD_FIELDS)
            .param(ParamSpec.of("image", ParamSpec.Type.STRING).withCheck(Checks.NOT_BLANK)
                    .withDefault(DEFAULT_IMAGE).describedAs("The image of the ephemeral container (it needs tcpdump"
                            + " and timeout)"))
            .param(ParamSpec.of("duration", ParamSpec.Type.INTEGER).withCheck(v -> range(v, 0, 600))
                    .withDefault(5).describedAs("Seconds of capture (at most 600; 0 means 5, as upstream)"))
            .param(ParamSpec.of("snaplen", ParamSpec.Type.INTEGER).withCheck(v -> range(v, 0, 262144))
                    .withDefault(4096).describedAs("Bytes kept of each packet (0: tcpdump's default, 262144)"))
            .output(OutputUse.REQUIRED)
            .permissions("tcpdump", concat(
                    Permission.of("", "pods", "read the pod and the ephemeral container's state; the client"
                            + " checks the pod is ready before exec", "get", "list", "watch"),
                    Permission.of("", "pods/ephemeralcontainers", "add the capture container", "patch"),
                    Permission.of("", "pods/exec", "run tcpdump in it: a WebSocket GET, authorized as create from"
                            + " Kubernetes 1.30", "get", "create")))
            .example("""
                    - action: Capture the pod's traffic
                      actionner: kubernetes:tcpdump
                      continue: true
                      parameters:
                        duration: 10
                        snaplen: 1024
                      output:
                        target: aws:s3
                        parameters:
                          bucket: my-bucket
                          prefix: /captures/
                    """)
            .build();

    static String range(Object v, long min, long max) {
        long n = ((Number) v).longValue();
        return n < min || n > max ? "must be between " + min + " and " + max + ", got " + v : null;
    }

    private final CaptureSettings settings;

    public PacketCapture(CaptureSettings settings) {
        this.settings = settings;
    }

    public Outcome capture(@ExchangeProperty(KubernetesTarget.POD_PROPERTY) Pod pod,
                           @Header("TalonParameters") Map<String, Object> params) {
        KubernetesClient client = settings.cluster().client();
        String ns = pod.getMetadata().getNamespace();
        String podName = pod.getMetadata().getName();
        int duration = ((Number) params.getOrDefault("duration", 5)).intValue();
        duration = duration == 0 ? 5 : duration;
        int snaplen = ((Number) params.getOrDefault("snaplen", 4096)).intValue();
        String target = Containers.pick(pod, null);
        String name = PodStreams.name(NAME_BASE);
        Map<String, String> objects = KubernetesTarget.objects(pod);
        objects.put("container", name);
        EphemeralContainer ec = new EphemeralContainerBuilder().withName(name)
                .withImage(String.valueOf(params.getOrDefault("image", DEFAULT_IMAGE)))
                .withImagePullPolicy("Always")
                .withCommand("sleep", String.valueOf(duration + settings.execSlack().toSeconds() + LINGER_SECONDS))
                .withNewSecurityContext().withPrivileged(true).withRunAsUser(0L).endSecurityContext()
                .withTargetContainerName(target)
                .build();
        Pod patch = new PodBuilder().withNewSpec().withEphemeralContainers(ec).endSpec().build();
        client.pods().inNamespace(ns).withName(podName).ephemeralContainers()
                .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), Serialization.asJson(patch));
        PodStreams streams = new PodStreams(client, settings.poll(), settings.startTimeout());
        try {
            streams.awaitRunning("the ephemeral container " + name + " of pod " + KubernetesTarget.ref(pod),
                    () -> client.pods().inNamespace(ns).withName(podName).get(), p -> status(p, name));
        } catch (ActionStop s) {
            throw s.withObjects(objects);
        }
        List<String> argv = List.of("timeout", String.valueOf(duration), "tcpdump", "-n", "-i", "any", "-s",
                String.valueOf(snaplen), "-U", "-w", "-");
        // timeout stops tcpdump: 124 (coreutils) or 143 (busybox, SIGTERM); 0 when tcpdump ends by itself
        Artifact a = streams.toArtifact(settings.spool(), ARTIFACT_NAME, ns, podName, name, argv,
                Duration.ofSeconds(duration).plus(settings.execSlack()),
                code -> code == 0 || code == 124 || code == 143,
                "tcpdump", "in the ephemeral container " + name + " of pod " + KubernetesTarget.ref(pod), objects);
        return new Outcome("a tcpdump '" + ARTIFACT_NAME + "' of " + duration + " s has been captured in pod "
                + KubernetesTarget.ref(pod) + " (" + a.size() + " bytes)", objects, a);
    }

    private static ContainerStatus status(Pod p, String name) {
        if (p.getStatus() == null || p.getStatus().getEphemeralContainerStatuses() == null) {
            return null;
        }
        return p.getStatus().getEphemeralContainerStatuses().stream().filter(s -> name.equals(s.getName()))
                .findFirst().orElse(null);
    }
}
