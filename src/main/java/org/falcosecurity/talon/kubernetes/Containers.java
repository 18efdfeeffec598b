package org.falcosecurity.talon.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import org.falcosecurity.talon.contract.ActionStop;

import java.util.List;
import java.util.Map;

/** Which container of a pod an exec or a log request addresses. */
public final class Containers {

    /** The annotation kubectl also honours to name a pod's default container. */
    public static final String DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container";

    private Containers() {
    }

    /**
     * The {@code container} parameter when set (it must exist in the pod), else the pod's default container
     * (annotation {@value #DEFAULT_CONTAINER_ANNOTATION}), else its first container.
     */
    public static String pick(Pod pod, Object wanted) {
        List<String> names = pod.getSpec() == null ? List.of()
                : pod.getSpec().getContainers().stream().map(Container::getName).toList();
        if (names.isEmpty()) {
            throw ActionStop.failure("pod " + KubernetesTarget.ref(pod) + " has no containers");
        }
        if (wanted != null) {
            if (!names.contains(String.valueOf(wanted))) {
                throw ActionStop.failure("container '" + wanted + "' not found in pod " + KubernetesTarget.ref(pod)
                        + " (containers: " + String.join(", ", names) + ")");
            }
            return String.valueOf(wanted);
        }
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        String preferred = annotations == null ? null : annotations.get(DEFAULT_CONTAINER_ANNOTATION);
        return preferred != null && names.contains(preferred) ? preferred : names.get(0);
    }
}
