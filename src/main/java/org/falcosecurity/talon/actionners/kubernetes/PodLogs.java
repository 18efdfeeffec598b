package org.falcosecurity.talon.actionners.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.falcosecurity.talon.catalog.ActionnerSpec;
import org.falcosecurity.talon.catalog.Checks;
import org.falcosecurity.talon.catalog.ParamSpec;
import org.falcosecurity.talon.catalog.Permission;
import org.falcosecurity.talon.contract.Outcome;
import org.falcosecurity.talon.kubernetes.ClusterAccess;
import org.falcosecurity.talon.kubernetes.Containers;
import org.falcosecurity.talon.kubernetes.KubernetesTarget;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

import static org.falcosecurity.talon.actionners.kubernetes.KubernetesDeclarations.*;

/**
 * {@code kubernetes:log}: the last {@code tail_lines} lines of a container's log, streamed into a bounded buffer
 * that keeps the most recent bytes; the result says when older bytes were dropped.
 */
public final class PodLogs {

    public static final int DEFAULT_TAIL_LINES = 1000;

    /** {@code kubernetes:log}. */
    public static final ActionnerSpec SPEC = ActionnerSpec.builder("kubernetes:log")
            .description("Fetch the pod's logs into the result")
            .requiredFields(POD_FIELDS)
            .param(ParamSpec.of("tail_lines", ParamSpec.Type.INTEGER).withCheck(Checks.POSITIVE)
                    .withDefault(DEFAULT_TAIL_LINES).describedAs("Lines from the end of the log"))
            .param(CONTAINER)
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

    private final ClusterAccess cluster;
    private final int maxOutputBytes;

    public PodLogs(ClusterAccess cluster, int maxOutputBytes) {
        this.cluster = cluster;
        this.maxOutputBytes = maxOutputBytes;
    }

    public Outcome fetch(@ExchangeProperty(KubernetesTarget.POD_PROPERTY) Pod pod,
                         @Header("TalonParameters") Map<String, Object> params) {
        String container = Containers.pick(pod, params.get("container"));
        int tail = ((Number) params.getOrDefault("tail_lines", DEFAULT_TAIL_LINES)).intValue();
        BoundedOutput logs = new BoundedOutput(maxOutputBytes, true);
        try (InputStream in = cluster.client().pods().inNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName()).inContainer(container).tailingLines(tail)
                .getLogInputStream()) {
            in.transferTo(logs);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the logs of container " + container + " of pod "
                    + KubernetesTarget.ref(pod) + " failed", e);
        }
        Map<String, String> objects = KubernetesTarget.objects(pod);
        objects.put("container", container);
        return new Outcome(logs.textWithNotice(), objects);
    }
}
