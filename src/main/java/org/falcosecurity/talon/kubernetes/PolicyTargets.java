package org.falcosecurity.talon.kubernetes;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.falcosecurity.talon.contract.ActionStop;
import org.falcosecurity.talon.rules.Event;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the network-policy actionners ({@code kubernetes:networkpolicy}, {@code calico:networkpolicy},
 * {@code cilium:networkpolicy}) share: which pods a policy selects, how it is named and labelled, and the remote IP
 * of the event.
 *
 * <p>A policy selects the pods of the pod's workload: the Deployment's selector for a pod of a Deployment, else the
 * selector of its ReplicaSet, DaemonSet or StatefulSet, else (a standalone pod, or another owner) the pod's own
 * labels without those that differ from one pod to the next. It is named {@code falco-talon-<workload>} and
 * labelled {@code app.kubernetes.io/managed-by: falco-talon}.
 */
public final class PolicyTargets {

    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String TALON = "falco-talon";
    /** The label the API server sets on every namespace, its value the namespace's name. */
    public static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
    public static final String REMOTE_IP_FIELDS = "fd.rip (or fd.sip)";

    private static final Set<String> POD_SPECIFIC_LABELS = Set.of("pod-template-hash", "controller-revision-hash",
            "statefulset.kubernetes.io/pod-name", "pod-template-generation", "apps.kubernetes.io/pod-index");
    private static final Pattern IPV4 = Pattern.compile(
            "^((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)$");
    /** Hex digits, colons and (for an embedded IPv4 part) dots: a literal InetAddress parses without DNS. */
    private static final Pattern IPV6_CHARS = Pattern.compile("^[0-9A-Fa-f:.]{2,45}$");

    private PolicyTargets() {
    }

    /**
     * The pods a policy for this pod selects.
     *
     * @param name     the workload's name (the policy is named after it)
     * @param ref      how a message names it ({@code Deployment web}, {@code pod web-0})
     * @param selector its pod selector
     */
    public record Target(String name, String ref, LabelSelector selector) {
        public String policyName() {
            return PolicyTargets.policyName(name);
        }
    }

    /** The pod's workload and its selector; a failure when the pod has no owner and no labels. */
    public static Target of(KubernetesClient client, Pod pod) {
        Workloads.Workload w = Workloads.topLevel(client, pod);
        if (w != null && w.selector() != null) {
            return new Target(w.name(), w.ref(), w.selector());
        }
        return new Target(pod.getMetadata().getName(), "pod " + pod.getMetadata().getName(), podSelector(pod));
    }

    /** The pod's own labels, without those that differ from one pod of a workload to the next. */
    private static LabelSelector podSelector(Pod pod) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (pod.getMetadata().getLabels() != null) {
            labels.putAll(pod.getMetadata().getLabels());
        }
        labels.keySet().removeAll(POD_SPECIFIC_LABELS);
        if (labels.isEmpty()) {
            throw ActionStop.failure("pod " + KubernetesTarget.ref(pod) + " has no owner and no labels: a"
                    + " network policy cannot select it without selecting every pod of the namespace");
        }
        return new LabelSelectorBuilder().withMatchLabels(labels).build();
    }

    /** {@code falco-talon-<workload>}, within the 253 characters of an object name. */
    public static String policyName(String workload) {
        String n = TALON + "-" + workload;
        if (n.length() > 253) {
            n = n.substring(0, 253).replaceAll("[-.]+$", "");
        }
        return n;
    }

    /** Whether an object's labels say Talon manages it. */
    public static boolean managed(Map<String, String> labels) {
        return labels != null && TALON.equals(labels.get(MANAGED_BY));
    }

    /**
     * The event's remote IP as a single-address CIDR ({@code 203.0.113.7/32}, {@code 2001:db8::7/128}): from
     * {@code fd.rip}, else {@code fd.sip}. A failure, with upstream Falco Talon's messages, when neither is set
     * ({@code <NA>} counts as not set) or the one used is not an IP address. Never resolves a name.
     */
    public static String remoteCidr(Event event) {
        String field = KubernetesTarget.field(event, "fd.rip") != null ? "fd.rip" : "fd.sip";
        String value = KubernetesTarget.field(event, field);
        if (value == null) {
            throw ActionStop.failure("missing IP field (fd.sip or fd.rip)");
        }
        InetAddress address = literal(value.trim());
        if (address == null) {
            throw ActionStop.failure("wrong value for " + field);
        }
        return address instanceof Inet6Address ? compressed(address.getHostAddress()) + "/128"
                : address.getHostAddress() + "/32";
    }

    /** {@code 2001:db8:0:0:0:0:0:7} as {@code 2001:db8::7} (RFC 5952: the longest run of two or more zero groups). */
    static String compressed(String full) {
        String[] groups = full.split(":");
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < groups.length; i++) {
            int j = i;
            while (j < groups.length && groups[j].equals("0")) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
        }
        if (bestStart < 0) {
            return full;
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
        return head + "::" + tail;
    }

    /** An IPv4 or IPv6 literal, or {@code null}; no zone ids, no names. */
    static InetAddress literal(String s) {
        boolean v4 = IPV4.matcher(s).matches();
        if (!v4 && !(s.contains(":") && IPV6_CHARS.matcher(s).matches())) {
            return null;
        }
        try {
            // a literal (checked above) is parsed, never looked up
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
