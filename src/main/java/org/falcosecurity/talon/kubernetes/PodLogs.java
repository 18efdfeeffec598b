package org.falcosecurity.talon.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.falcosecurity.talon.rules.BuiltinActionners;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * {@code kubernetes:log}: the last {@code tail_lines} lines of a container's log, streamed into a bounded buffer
 * that keeps the most recent bytes; the result says when older bytes were dropped.
 */
public final class PodLogs {

    private final ClusterAccess cluster;
    private final int maxOutputBytes;

    public PodLogs(ClusterAccess cluster, int maxOutputBytes) {
        this.cluster = cluster;
        this.maxOutputBytes = maxOutputBytes;
    }

    public Outcome fetch(@ExchangeProperty(KubernetesTarget.POD_PROPERTY) Pod pod,
                         @Header("TalonParameters") Map<String, Object> params) {
        String container = Containers.pick(pod, params.get("container"));
        int tail = ((Number) params.getOrDefault("tail_lines", BuiltinActionners.DEFAULT_TAIL_LINES)).intValue();
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
