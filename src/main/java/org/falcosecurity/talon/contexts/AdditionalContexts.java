package org.falcosecurity.talon.contexts;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.falcosecurity.talon.contract.ActionStop;
import org.falcosecurity.talon.contract.TalonHeaders;
import org.falcosecurity.talon.kubernetes.ClusterAccess;
import org.falcosecurity.talon.kubernetes.KubernetesErrors;
import org.falcosecurity.talon.kubernetes.KubernetesTarget;
import org.falcosecurity.talon.rules.Event;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The {@code additional_contexts} of an action, run before its actionner (step of {@code direct:talon-action}):
 * each named context is looked up and its entries are added to the {@code TalonContext} header, after the event's
 * own {@code context}. The actionners that use contexts read that header (aws:lambda and gcp:function put it in
 * their payload, kubernetes:exec and kubernetes:script make variables of it: {@code node.hostname} →
 * {@code NODE_HOSTNAME}), and the result record shows it.
 *
 * <ul>
 *   <li>{@code k8snode}: the node of the event's pod — {@code node.hostname} (label {@code kubernetes.io/hostname}),
 *   {@code node.instancetype} ({@code node.kubernetes.io/instance-type}), {@code node.role} ({@code kubernetes.io/role},
 *   else the roles of the {@code node-role.kubernetes.io/<role>} labels, comma-separated),
 *   {@code node.topology.region}, {@code node.topology.zone} ({@code topology.kubernetes.io/region|zone}) and
 *   {@code node.spec.providerid} ({@code spec.providerID}); a label the node lacks gives an empty value.</li>
 *   <li>{@code aws}: the instance Talon runs on, from IMDSv2 ({@link InstanceMetadata}) — {@code aws.instance_profile_arn},
 *   {@code aws.instance_profile_id}, {@code aws.region}.</li>
 * </ul>
 * A context that cannot be looked up makes the action a failure naming the context (the actionner is not run), as
 * upstream Falco Talon stops there. Each value is cut at {@value #MAX_VALUE} characters.
 */
public final class AdditionalContexts {

    static final int MAX_VALUE = 1024;
    private static final String ROLE_PREFIX = "node-role.kubernetes.io/";

    private final ClusterAccess cluster;
    private final InstanceMetadata instance;

    public AdditionalContexts(ClusterAccess cluster, InstanceMetadata instance) {
        this.cluster = cluster;
        this.instance = instance;
    }

    /** Adds the action's additional contexts to its {@code TalonContext} header (nothing when it has none). */
    public void add(Exchange exchange) {
        Message m = exchange.getMessage();
        List<?> names = m.getHeader(TalonHeaders.ADDITIONAL_CONTEXTS, List.class);
        if (names == null || names.isEmpty()) {
            return;
        }
        Event event = m.getBody(Event.class);
        Map<String, String> context = new LinkedHashMap<>(event.context());
        for (Object n : names) {
            String name = String.valueOf(n);
            Map<String, String> found;
            try {
                found = switch (name) {
                    case "k8snode" -> node(event);
                    case "aws" -> instance.awsContext();
                    default -> throw new IllegalArgumentException("unknown context");
                };
            } catch (ActionStop e) {
                throw ActionStop.failure("additional context " + name + ": " + e.getMessage());
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                throw ActionStop.failure("additional context " + name + ": " + KubernetesErrors.text(e));
            } catch (RuntimeException e) {
                throw ActionStop.failure("additional context " + name + ": " + e.getMessage());
            }
            found.forEach((k, v) -> context.put(k, bounded(v)));
        }
        m.setHeader(TalonHeaders.CONTEXT, Collections.unmodifiableMap(context));
    }

    /** {@code k8snode}: what the pod's node says about itself. */
    Map<String, String> node(Event event) {
        if (!cluster.configured()) {
            throw ActionStop.failure(ClusterAccess.NOT_CONFIGURED);
        }
        String name = KubernetesTarget.podName(event);
        String namespace = KubernetesTarget.namespace(event);
        if (name == null || namespace == null) {
            throw ActionStop.failure("the event names no pod (" + KubernetesTarget.POD_FIELDS + ", "
                    + KubernetesTarget.NAMESPACE_FIELDS + ")");
        }
        Pod pod = cluster.client().pods().inNamespace(namespace).withName(name).get();
        if (pod == null) {
            throw ActionStop.failure("pod " + namespace + "/" + name + " not found");
        }
        Node node = KubernetesTarget.node(cluster.client(), pod);
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of()
                : node.getMetadata().getLabels();
        Map<String, String> out = new LinkedHashMap<>();
        out.put("node.hostname", labels.getOrDefault("kubernetes.io/hostname", ""));
        out.put("node.instancetype", labels.getOrDefault("node.kubernetes.io/instance-type", ""));
        out.put("node.role", role(labels));
        out.put("node.topology.region", labels.getOrDefault("topology.kubernetes.io/region", ""));
        out.put("node.topology.zone", labels.getOrDefault("topology.kubernetes.io/zone", ""));
        String provider = node.getSpec() == null ? null : node.getSpec().getProviderID();
        out.put("node.spec.providerid", provider == null ? "" : provider);
        return out;
    }

    /** {@code kubernetes.io/role}, else the roles named by {@code node-role.kubernetes.io/<role>} labels. */
    static String role(Map<String, String> labels) {
        String role = labels.get("kubernetes.io/role");
        if (role != null && !role.isEmpty()) {
            return role;
        }
        List<String> roles = new ArrayList<>(new TreeSet<>(labels.keySet().stream()
                .filter(k -> k.startsWith(ROLE_PREFIX) && k.length() > ROLE_PREFIX.length())
                .map(k -> k.substring(ROLE_PREFIX.length())).toList()));
        return String.join(",", roles);
    }

    private static String bounded(String v) {
        if (v == null) {
            return "";
        }
        return v.length() <= MAX_VALUE ? v : v.substring(0, MAX_VALUE);
    }
}
