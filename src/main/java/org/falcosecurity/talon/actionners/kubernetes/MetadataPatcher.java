package org.falcosecurity.talon.actionners.kubernetes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.falcosecurity.talon.catalog.ActionnerSpec;
import org.falcosecurity.talon.catalog.Checks;
import org.falcosecurity.talon.catalog.ParamSpec;
import org.falcosecurity.talon.catalog.Permission;
import org.falcosecurity.talon.contract.Outcome;
import org.falcosecurity.talon.kubernetes.ClusterAccess;
import org.falcosecurity.talon.kubernetes.KubernetesTarget;
import org.falcosecurity.talon.kubernetes.ProtectedObjects;
import org.falcosecurity.talon.contract.TalonHeaders;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.falcosecurity.talon.actionners.kubernetes.KubernetesDeclarations.*;

/**
 * {@code kubernetes:label} / {@code kubernetes:labelize} and {@code kubernetes:annotation}: sets or removes labels or
 * annotations of the pod, or of its node ({@code level: node}).
 *
 * <p>It sends a JSON Patch ({@code add} / {@code remove}), not a merge patch: a JSON Patch {@code remove} is what
 * removes a key on a real API server and on the API simulator alike. Keys holding {@code /} are escaped as JSON
 * Pointer requires. Values already as wanted are left alone; when nothing changes no call is made.
 */
public final class MetadataPatcher {

    private static final List<Permission> PATCH = concat(
            Permission.of("", "pods", "read, then patch the pod; with a ttl, list the pending reverts", "get",
                    "list", "patch"), NODES, REVERT_NODES);

    /** {@code kubernetes:label}. */
    public static final ActionnerSpec LABEL = labels("kubernetes:label", "Add, change or remove labels of the pod"
            + " or its node");
    /** {@code kubernetes:labelize}: the original name of {@code kubernetes:label}. */
    public static final ActionnerSpec LABELIZE = labels("kubernetes:labelize", "The original name of"
            + " kubernetes:label");
    /** {@code kubernetes:annotation}. */
    public static final ActionnerSpec ANNOTATION = ActionnerSpec.builder("kubernetes:annotation")
            .description("Add, change or remove annotations of the pod or its node")
            .requiredFields(POD_FIELDS)
            .param(ParamSpec.required("annotations", ParamSpec.Type.STRING_MAP)
                    .withCheck(Checks.metadataMap("annotations", false))
                    .describedAs("Annotations to set; an empty value removes the annotation"))
            .param(LEVEL)
            .reversible()
            .permissions("label", PATCH)
            .example("""
                    - action: Note why the node is suspect
                      actionner: kubernetes:annotation
                      parameters:
                        level: node
                        annotations:
                          falco.org/reason: "a shell was opened in a pod of this node"
                    """)
            .build();

    private static ActionnerSpec labels(String name, String description) {
        return ActionnerSpec.builder(name)
                .description(description)
                .requiredFields(POD_FIELDS)
                .param(ParamSpec.required("labels", ParamSpec.Type.STRING_MAP)
                        .withCheck(Checks.metadataMap("labels", true))
                        .describedAs("Labels to set; an empty value removes the label (keys and values must be valid"
                                + " Kubernetes labels)"))
                .param(LEVEL)
                .reversible()
                .permissions("label", PATCH)
                .example("""
                        - action: Label the pod as suspicious
                          actionner: %s
                          parameters:
                            labels:
                              falco.org/suspicious: "true"
                              app.kubernetes.io/exposed: ""
                        """.formatted(name))
                .build();
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ClusterAccess cluster;
    private final ProtectedObjects protectedObjects;
    private final Reverts reverts;

    public MetadataPatcher(ClusterAccess cluster, ProtectedObjects protectedObjects, Reverts reverts) {
        this.cluster = cluster;
        this.protectedObjects = protectedObjects;
        this.reverts = reverts;
    }

    public Outcome labels(@ExchangeProperty(KubernetesTarget.POD_PROPERTY) Pod pod,
                          @Header("TalonParameters") Map<String, Object> params, Message message) {
        return patch(pod, params, "labels", message.getHeader(TalonHeaders.ACTIONNER, String.class),
                PendingReverts.Request.of(message));
    }

    public Outcome annotations(@ExchangeProperty(KubernetesTarget.POD_PROPERTY) Pod pod,
                               @Header("TalonParameters") Map<String, Object> params, Message message) {
        return patch(pod, params, "annotations", message.getHeader(TalonHeaders.ACTIONNER, String.class),
                PendingReverts.Request.of(message));
    }

    /**
     * Sets the wanted keys (a protected node is refused first); with a ttl ({@code ttl}), the same patch records on
     * the object what to restore and when (PendingReverts), and an action without ttl that changes a pending key
     * makes that change permanent.
     */
    private Outcome patch(Pod pod, Map<String, Object> params, String field, String actionner,
                          PendingReverts.Request ttl) {
        KubernetesClient client = cluster.client();
        boolean onNode = "node".equals(params.get("level"));
        Map<String, String> objects = KubernetesTarget.objects(pod);
        HasMetadata target = pod;
        String what = "pod " + KubernetesTarget.ref(pod);
        if (onNode) {
            Node node = KubernetesTarget.node(client, pod);
            protectedObjects.check(actionner, node);
            target = node;
            what = "node " + node.getMetadata().getName();
            objects.put("node", node.getMetadata().getName());
        }
        Map<String, String> current = "labels".equals(field) ? target.getMetadata().getLabels()
                : target.getMetadata().getAnnotations();
        @SuppressWarnings("unchecked")
        Plan plan = plan(field, current, (Map<String, Object>) params.get(field));
        List<PendingReverts.Entry> pending = PendingReverts.read(target);
        boolean touchesPending = pending.stream().anyMatch(e -> field.equals(e.kind())
                && e.set().keySet().stream().anyMatch(plan.old()::containsKey));
        PendingReverts.Entry revert = null;
        if (!plan.old().isEmpty() && (ttl != null || touchesPending)) {
            revert = ttl == null ? null : ttl.entry(field, plan.newValues(), Map.of());
            PendingReverts.patchOps(plan.ops(), target, PendingReverts.addKeys(pending, field, revert, plan.old()));
        }
        if (!plan.ops().isEmpty()) {
            String body = plan.ops().toString();
            PatchContext json = PatchContext.of(PatchType.JSON);
            // through the object already read: patching by name would make the client GET it once more
            if (onNode) {
                client.nodes().resource((Node) target).patch(json, body);
            } else {
                client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).patch(json, body);
            }
        }
        List<String> set = plan.set();
        List<String> removed = plan.removed();
        List<String> unchanged = plan.unchanged();
        StringBuilder out = new StringBuilder(what).append(':');
        if (!set.isEmpty()) {
            out.append(" set ").append(field).append(' ').append(String.join(", ", set)).append(';');
        }
        if (!removed.isEmpty()) {
            out.append(" removed ").append(field).append(' ').append(String.join(", ", removed)).append(';');
        }
        if (!unchanged.isEmpty()) {
            out.append(" already as wanted: ").append(String.join(", ", unchanged)).append(';');
        }
        out.setLength(out.length() - 1);
        if (revert != null) {
            out.append("; reverted at ").append(revert.expires());
            reverts.scheduleAt(revert.expiry());
        }
        return new Outcome(out.toString(), objects);
    }

    /**
     * The JSON Patch operations, and what they set, remove or leave alone (for the output); for the keys they
     * change, the values before ({@code old}, null: absent) and after ({@code newValues}, null: removed).
     */
    record Plan(ArrayNode ops, List<String> set, List<String> removed, List<String> unchanged,
                Map<String, String> old, Map<String, String> newValues) {
    }

    /**
     * The JSON Patch turning {@code current} (a pod's or node's labels or annotations, possibly null) into what
     * {@code wanted} asks: a value sets the key, an empty or null value removes it.
     */
    static Plan plan(String field, Map<String, String> current, Map<String, Object> wanted) {
        ArrayNode ops = JSON.createArrayNode();
        List<String> set = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        Map<String, String> old = new LinkedHashMap<>();
        Map<String, String> newValues = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : new TreeMap<>(wanted).entrySet()) {
            String key = e.getKey();
            String value = e.getValue() == null ? "" : String.valueOf(e.getValue());
            String path = "/metadata/" + field + "/" + escape(key);
            String now = current == null ? null : current.get(key);
            if (value.isEmpty()) {
                if (now == null) {
                    unchanged.add(key + " (absent)");
                } else {
                    ops.addObject().put("op", "remove").put("path", path);
                    removed.add(key);
                    old.put(key, now);
                    newValues.put(key, null);
                }
            } else if (value.equals(now)) {
                unchanged.add(key + "=" + value);
            } else {
                if ((current == null || current.isEmpty()) && set.isEmpty()) {
                    // a real API server cannot add below a missing object (fabric8 shows a missing map as empty)
                    ops.addObject().put("op", "add").put("path", "/metadata/" + field).putObject("value");
                }
                ops.addObject().put("op", "add").put("path", path).put("value", value);
                set.add(key + "=" + value);
                old.put(key, now);
                newValues.put(key, value);
            }
        }
        return new Plan(ops, set, removed, unchanged, old, newValues);
    }

    /** JSON Pointer escaping of one key (RFC 6901): {@code ~} then {@code /}. */
    static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
