package org.falcosecurity.talon.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import org.falcosecurity.talon.contract.ActionStop;
import org.falcosecurity.talon.rules.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Before Talon acts on a pod, it checks that the event could have come from that pod (setting {@code provenance}):
 * <ul>
 *   <li>a syscall event's {@code hostname} (Falco runs on each node, and the Falco chart sets it to the node name,
 *       {@code FALCO_HOSTNAME}) must be the node the pod runs on ({@code spec.nodeName});</li>
 *   <li>an event's {@code container.id} — Falco's 12-character short id or the full id — must be the id of one of
 *       the pod's containers ({@code status.containerStatuses}, {@code initContainerStatuses},
 *       {@code ephemeralContainerStatuses}: {@code containerd://<id>}, {@code docker://<id>},
 *       {@code cri-o://<id>}).</li>
 * </ul>
 * A field the event does not carry is not checked: Kubernetes audit events ({@code source: k8s_audit}) have neither
 * (their {@code hostname} is Falco's own pod), nor do other plugin sources; their pod is only checked to exist. Falco's
 * "no value" ({@code <NA>}, empty) counts as absent. With {@code enforce} (the default) a mismatch is {@code ignored}
 * ("the event does not match pod X: ..."); with {@code warn} it is logged and the action runs; with {@code off} nothing
 * is checked. Mismatches are counted in {@code falco_talon_provenance_mismatches_total{mode}} and logged.
 */
public final class EventProvenance {

    private static final Logger LOG = LoggerFactory.getLogger("falco-talon.provenance");

    public enum Mode { ENFORCE, WARN, OFF }

    private final Mode mode;
    private final Consumer<String> mismatched;

    /**
     * @param mode       {@code enforce}, {@code warn} or {@code off}
     * @param mismatched told the mode of each mismatch (the counter)
     */
    public EventProvenance(String mode, Consumer<String> mismatched) {
        this.mode = Mode.valueOf(mode.toUpperCase(Locale.ROOT));
        this.mismatched = mismatched;
    }

    /** Refuses ({@code ignored}) an event that cannot come from {@code pod}, per the mode. */
    public void check(Event event, Pod pod) {
        if (mode == Mode.OFF) {
            return;
        }
        List<String> problems = mismatches(event, pod);
        if (problems.isEmpty()) {
            return;
        }
        String message = "the event does not match pod " + KubernetesTarget.ref(pod) + ": "
                + String.join("; ", problems);
        mismatched.accept(mode.name().toLowerCase(Locale.ROOT));
        if (mode == Mode.WARN) {
            LOG.warn("{} (provenance: warn, acting anyway)", message);
            return;
        }
        LOG.warn("{} (provenance: enforce, not acting)", message);
        throw ActionStop.refused(message, "provenance");
    }

    /** What does not match; empty when the event could come from the pod. */
    static List<String> mismatches(Event event, Pod pod) {
        List<String> out = new ArrayList<>();
        String host = value(event.hostname());
        if (host != null && "syscall".equals(event.source())) {
            String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
            if (!host.equals(node)) {
                out.add("node: the event comes from " + quote(host) + ", the pod runs on "
                        + (node == null || node.isEmpty() ? "no node" : quote(node)));
            }
        }
        String container = value(event.field("container.id"));
        if (container != null && !runsContainer(pod, container)) {
            out.add("container: " + quote(container) + " is none of the pod's containers");
        }
        return out;
    }

    /** Whether one of the pod's container statuses has this id (the short 12-character one, or all of it). */
    static boolean runsContainer(Pod pod, String id) {
        String wanted = id.toLowerCase(Locale.ROOT);
        if (wanted.length() < 12) {
            return false;
        }
        if (pod.getStatus() == null) {
            return false;
        }
        List<ContainerStatus> all = new ArrayList<>();
        for (List<ContainerStatus> l : List.of(nullToEmpty(pod.getStatus().getContainerStatuses()),
                nullToEmpty(pod.getStatus().getInitContainerStatuses()),
                nullToEmpty(pod.getStatus().getEphemeralContainerStatuses()))) {
            all.addAll(l);
        }
        for (ContainerStatus s : all) {
            String full = s.getContainerID();
            if (full == null) {
                continue;
            }
            int sep = full.indexOf("://");
            String hex = (sep < 0 ? full : full.substring(sep + 3)).toLowerCase(Locale.ROOT);
            if (hex.equals(wanted) || (wanted.length() == 12 && hex.startsWith(wanted))) {
                return true;
            }
        }
        return false;
    }

    private static List<ContainerStatus> nullToEmpty(List<ContainerStatus> l) {
        return l == null ? List.of() : l;
    }

    private static String value(String v) {
        return v == null || v.isEmpty() || KubernetesTarget.NOT_AVAILABLE.equals(v) ? null : v;
    }

    /** An event value in a message: quoted, cut to 80 characters. */
    private static String quote(String v) {
        return "'" + (v.length() > 80 ? v.substring(0, 80) + "…" : v) + "'";
    }
}
