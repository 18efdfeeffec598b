package org.falcosecurity.talon.actionners.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.falcosecurity.talon.catalog.ActionnerSpec;
import org.falcosecurity.talon.catalog.Checks;
import org.falcosecurity.talon.catalog.ParamSpec;
import org.falcosecurity.talon.catalog.OutputUse;
import org.falcosecurity.talon.catalog.Permission;
import org.falcosecurity.talon.artifacts.ArtifactSpool;
import org.falcosecurity.talon.contract.ActionStop;
import org.falcosecurity.talon.contract.Artifact;
import org.falcosecurity.talon.contract.TalonHeaders;
import org.falcosecurity.talon.contract.Outcome;
import org.falcosecurity.talon.kubernetes.ClusterAccess;
import org.falcosecurity.talon.kubernetes.Containers;
import org.falcosecurity.talon.kubernetes.KubernetesTarget;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

import static org.falcosecurity.talon.actionners.kubernetes.KubernetesDeclarations.*;

/**
 * {@code kubernetes:log}: the last {@code tail_lines} lines of a container's log, streamed into a bounded buffer
 * that keeps the most recent bytes (the result says when older bytes were dropped), or, when the action has an
 * output, into the artifact spool: the logs are then the artifact the output stores.
 */
public final class PodLogs {

    public static final int DEFAULT_TAIL_LINES = 1000;

    /** {@code kubernetes:log}. */
    public static final ActionnerSpec SPEC = ActionnerSpec.builder("kubernetes:log")
            .description("Fetch the pod's logs into the result, or, with an output, store them as an artifact")
            .requiredFields(POD_FIELDS)
            .param(ParamSpec.of("tail_lines", ParamSpec.Type.INTEGER).withCheck(Checks.POSITIVE)
                    .withDefault(DEFAULT_TAIL_LINES).describedAs("Lines from the end of the log"))
            .param(CONTAINER)
            .output(OutputUse.ALLOWED)
            .permissions("log", concat(
                    Permission.of("", "pods", "read the pod; the client checks it is ready first", "get", "list",
                            "watch"),
                    Permission.of("", "pods/log", "read the container's log", "get")))
            .example("""
                    - action: Get the pod's logs
                      actionner: kubernetes:log
                      parameters:
                        tail_lines: 200
                    """)
            .build();

    /** The artifact's name when the logs go to an output, as upstream names it. */
    static final String ARTIFACT_NAME = "log";

    private final ClusterAccess cluster;
    private final int maxOutputBytes;
    private final ArtifactSpool spool;

    public PodLogs(ClusterAccess cluster, int maxOutputBytes, ArtifactSpool spool) {
        this.cluster = cluster;
        this.maxOutputBytes = maxOutputBytes;
        this.spool = spool;
    }

    /**
     * Without an output, the logs (bounded, latest bytes kept) are the result's output; with one
     * ({@code TalonOutputTarget} set), they stream into the artifact spool instead, bounded by
     * {@code max_artifact_bytes}, and the output says how many bytes were kept.
     */
    public Outcome fetch(@ExchangeProperty(KubernetesTarget.POD_PROPERTY) Pod pod,
                         @Header("TalonParameters") Map<String, Object> params,
                         @Header(TalonHeaders.OUTPUT_TARGET) String outputTarget) {
        String container = Containers.pick(pod, params.get("container"));
        int tail = ((Number) params.getOrDefault("tail_lines", DEFAULT_TAIL_LINES)).intValue();
        Map<String, String> objects = KubernetesTarget.objects(pod);
        objects.put("container", container);
        boolean artifact = outputTarget != null && !outputTarget.isEmpty();
        BoundedOutput logs = artifact ? null : new BoundedOutput(maxOutputBytes, true);
        ArtifactSpool.Writer w = artifact ? spool.open(ARTIFACT_NAME) : null;
        OutputStream sink = artifact ? w : logs;
        try (InputStream in = cluster.client().pods().inNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName()).inContainer(container).tailingLines(tail)
                .getLogInputStream()) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((w == null || !w.overLimit()) && (n = in.read(buf)) >= 0) {
                sink.write(buf, 0, n);
            }
        } catch (IOException e) {
            if (w != null) {
                w.abort();
            }
            throw new UncheckedIOException("reading the logs of container " + container + " of pod "
                    + KubernetesTarget.ref(pod) + " failed", e);
        } catch (RuntimeException e) {
            if (w != null) {
                w.abort();
            }
            throw e;
        }
        if (!artifact) {
            return new Outcome(logs.textWithNotice(), objects);
        }
        Artifact a;
        try {
            a = w.finish();
        } catch (ActionStop s) {
            throw s.withObjects(objects);
        }
        return new Outcome("the logs of container " + container + " of pod " + KubernetesTarget.ref(pod) + " ("
                + a.size() + " bytes) have been downloaded", objects, a);
    }
}
