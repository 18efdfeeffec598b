package org.falcosecurity.talon.actionners.kubernetes;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Message;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.falcosecurity.talon.catalog.ActionnerSpec;
import org.falcosecurity.talon.catalog.Checks;
import org.falcosecurity.talon.catalog.ParamSpec;
import org.falcosecurity.talon.catalog.Permission;
import org.falcosecurity.talon.contract.ActionStop;
import org.falcosecurity.talon.contract.Outcome;
import org.falcosecurity.talon.kubernetes.ClusterAccess;
import org.falcosecurity.talon.kubernetes.KubernetesErrors;
import org.falcosecurity.talon.kubernetes.KubernetesTarget;
import org.falcosecurity.talon.kubernetes.ProtectedObjects;
import org.falcosecurity.talon.kubernetes.Workloads;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.falcosecurity.talon.actionners.kubernetes.KubernetesDeclarations.*;

/**
 * {@code kubernetes:cordon} marks the pod's node unschedulable; {@code kubernetes:drain} cordons it too, then evicts
 * its pods through the Eviction API (so PodDisruptionBudgets are honoured), like {@code kubectl drain}.
 *
 * <p>Neither acts on a protected node ({@code protected.names}, {@code protected.labels}); drain never evicts a
 * protected pod (Talon's own, those of kube-system and the other protected namespaces, protected names and labels:
 * they are listed as skipped). Drain never evicts mirror (static) pods or finished pods; it skips DaemonSet pods with
 * {@code ignore_daemonsets}, StatefulSet pods with {@code ignore_statefulsets}, and pods whose owner has fewer
 * ready replicas than {@code min_healthy_replicas}. With {@code max_wait_period} > 0 it retries evictions a
 * PodDisruptionBudget refused and waits for the evicted pods to be gone, up to that many seconds (the worker waits
 * with it); with 0 it asks once and reports.
 */
public final class NodeActions {

    /** {@code kubernetes:cordon}. */
    public static final ActionnerSpec CORDON = ActionnerSpec.builder("kubernetes:cordon")
            .description("Mark the pod's node unschedulable")
            .requiredFields(POD_FIELDS)
            .reversible()
            .permissions("node", concat(GET_POD, NODES, REVERT_NODES))
            .example("""
                    - action: Cordon the node
                      actionner: kubernetes:cordon
                    """)
            .build();

    /** {@code kubernetes:drain}. */
    public static final ActionnerSpec DRAIN = ActionnerSpec.builder("kubernetes:drain")
            .description("Evict the pods of the pod's node")
            .requiredFields(POD_FIELDS)
            .param(IGNORE_DAEMONSETS)
            .param(IGNORE_STATEFULSETS)
            .param(MIN_HEALTHY_REPLICAS)
            .param(ParamSpec.of("max_wait_period", ParamSpec.Type.INTEGER).withCheck(Checks.NON_NEGATIVE)
                    .withDefault(0).describedAs("Seconds to retry refused evictions and wait for the evicted pods to"
                            + " be gone; 0: ask once, do not wait"))
            .permissions("node", concat(
                    Permission.of("", "pods", "the node's pods; checks that evicted pods are gone", "get", "list"),
                    NODES,
                    Permission.of("", "pods/eviction", "evictions honour PodDisruptionBudgets", "create"),
                    GET_OWNERS, GET_OTHER_OWNERS))
            .example("""
                    - action: Drain the node
                      actionner: kubernetes:drain
                      parameters:
                        ignore_daemonsets: true
                        min_healthy_replicas: "50%"
                        max_wait_period: 60
                    """)
            .build();

    static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ClusterAccess cluster;
    private final Duration pollInterval;
    private final ProtectedObjects protectedObjects;
    private final Reverts reverts;

    public NodeActions(ClusterAccess cluster, Duration pollInterval, ProtectedObjects protectedObjects,
                       Reverts reverts) {
        this.cluster = cluster;
        this.pollInterval = pollInterval;
        this.protectedObjects = protectedObjects;
        this.reverts = reverts;
    }

    /**
     * Cordons the node. With a ttl, the same patch records that the node is to be uncordoned when it ends — unless
     * the node was unschedulable before and not by a Talon action with a ttl (then nothing is Talon's to undo); an
     * action without ttl makes a pending uncordon permanent.
     */
    public Outcome cordon(@ExchangeProperty(KubernetesTarget.POD_PROPERTY) Pod pod, Message message) {
        KubernetesClient client = cluster.client();
        Node node = KubernetesTarget.node(client, pod);
        protectedObjects.check(CORDON.name(), node);
        String name = node.getMetadata().getName();
        PendingReverts.Request ttl = PendingReverts.Request.of(message);
        List<PendingReverts.Entry> pending = PendingReverts.read(node);
        boolean uncordonPending = pending.stream().anyMatch(e -> PendingReverts.UNCORDON.equals(e.kind()));
        if (ttl == null && !uncordonPending) {
            boolean changed = cordon(client, node);
            return new Outcome("node " + name + (changed ? " cordoned (unschedulable)" : " already unschedulable"),
                    objects(pod, name));
        }
        boolean already = node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
        ArrayNode ops = JSON.createArrayNode();
        if (!already) {
            if (node.getSpec() == null) {
                ops.addObject().put("op", "add").put("path", "/spec").putObject("value").put("unschedulable", true);
            } else {
                ops.addObject().put("op", "add").put("path", "/spec/unschedulable").put("value", true);
            }
        }
        PendingReverts.Entry revert = ttl != null && (!already || uncordonPending)
                ? ttl.entry(PendingReverts.UNCORDON, Map.of(), Map.of()) : null;
        PendingReverts.patchOps(ops, node, PendingReverts.addWhole(pending, PendingReverts.UNCORDON, revert));
        client.nodes().resource(node).patch(PatchContext.of(PatchType.JSON), ops.toString());
        String out = "node " + name + (already ? " already unschedulable" : " cordoned (unschedulable)");
        if (revert != null) {
            reverts.scheduleAt(revert.expiry());
            out += "; uncordoned at " + revert.expires();
        } else if (ttl != null) {
            out += "; not Talon's to uncordon (it was unschedulable before)";
        }
        return new Outcome(out, objects(pod, name));
    }

    public Outcome drain(@ExchangeProperty(KubernetesTarget.POD_PROPERTY) Pod pod,
                         @Header("TalonParameters") Map<String, Object> params) {
        KubernetesClient client = cluster.client();
        Node node = KubernetesTarget.node(client, pod);
        protectedObjects.check(DRAIN.name(), node);
        String nodeName = node.getMetadata().getName();
        boolean cordoned = cordon(client, node);
        long deadline = System.nanoTime() + Duration.ofSeconds(((Number) params.getOrDefault("max_wait_period", 0))
                .longValue()).toNanos();
        MinHealthyReplicas min = MinHealthyReplicas.parse(params.get("min_healthy_replicas"));

        List<String> skipped = new ArrayList<>();
        List<Pod> toEvict = new ArrayList<>();
        for (Pod p : client.pods().inAnyNamespace().withField("spec.nodeName", nodeName).list().getItems()) {
            if (!nodeName.equals(p.getSpec() == null ? null : p.getSpec().getNodeName())) {
                continue;
            }
            String why = skipReason(client, p, params, min);
            if (why == null && protectedObjects.reason(p) != null) {
                why = "protected";
            }
            if (why != null) {
                skipped.add(KubernetesTarget.ref(p) + " (" + why + ")");
            } else {
                toEvict.add(p);
            }
        }

        // the client retries a 429 for about 20 s by itself; a refused eviction is retried here instead, within
        // max_wait_period (or not at all), so ask without the client's retries
        KubernetesClient evictor = client.newClient(new RequestConfigBuilder(client.getConfiguration()
                .getRequestConfig()).withRequestRetryBackoffLimit(0).build()).adapt(KubernetesClient.class);
        Map<String, Pod> pending = new LinkedHashMap<>();
        toEvict.forEach(p -> pending.put(KubernetesTarget.ref(p), p));
        List<String> evicted = new ArrayList<>();
        Map<String, String> refused = new LinkedHashMap<>();
        while (true) {
            for (Map.Entry<String, Pod> e : new ArrayList<>(pending.entrySet())) {
                String outcome = evict(evictor, e.getValue());
                if (outcome == null) {
                    evicted.add(e.getKey());
                    refused.remove(e.getKey());
                    pending.remove(e.getKey());
                } else {
                    refused.put(e.getKey(), outcome);
                }
            }
            if (pending.isEmpty() || !sleepUntil(deadline)) {
                break;
            }
        }
        List<String> remaining = waitGone(client, toEvict, evicted, deadline);

        StringBuilder out = new StringBuilder("node ").append(nodeName)
                .append(cordoned ? " cordoned" : " already unschedulable");
        out.append("; evicted ").append(evicted.size()).append(" pod(s)")
                .append(evicted.isEmpty() ? "" : ": " + String.join(", ", evicted));
        if (!skipped.isEmpty()) {
            out.append("; skipped ").append(skipped.size()).append(": ").append(String.join(", ", skipped));
        }
        Map<String, String> objects = objects(pod, nodeName);
        List<String> problems = new ArrayList<>();
        if (!refused.isEmpty()) {
            List<String> r = new ArrayList<>();
            refused.forEach((k, v) -> r.add(k + " (" + v + ")"));
            problems.add("could not evict " + refused.size() + " pod(s) from node " + nodeName + ": "
                    + String.join(", ", r));
        }
        if (!remaining.isEmpty()) {
            problems.add(remaining.size() + " evicted pod(s) still on node " + nodeName + " after max_wait_period "
                    + params.get("max_wait_period") + " s: " + String.join(", ", remaining));
        }
        if (!problems.isEmpty()) {
            throw ActionStop.failure(String.join("; ", problems), out.toString()).withObjects(objects);
        }
        return new Outcome(out.toString(), objects);
    }

    /** Sets spec.unschedulable; false when the node already was. */
    private static boolean cordon(KubernetesClient client, Node node) {
        if (node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
            return false;
        }
        // through the node already read: patching by name would make the client GET it once more
        client.nodes().resource(node)
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"unschedulable\":true}}");
        return true;
    }

    private static String skipReason(KubernetesClient client, Pod p, Map<String, Object> params,
                                     MinHealthyReplicas min) {
        Map<String, String> annotations = p.getMetadata().getAnnotations();
        if (annotations != null && annotations.containsKey(MIRROR_ANNOTATION)) {
            return "static pod";
        }
        String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return "finished";
        }
        if (p.getMetadata().getDeletionTimestamp() != null) {
            return "already terminating";
        }
        String kind = Workloads.controllerKind(p);
        if (Workloads.DAEMON_SET.equals(kind) && PodTermination.flag(params, "ignore_daemonsets")) {
            return "DaemonSet pod, ignore_daemonsets";
        }
        if (Workloads.STATEFUL_SET.equals(kind) && PodTermination.flag(params, "ignore_statefulsets")) {
            return "StatefulSet pod, ignore_statefulsets";
        }
        if (min != null) {
            Workloads.Workload w = Workloads.replicated(client, p);
            if (w != null) {
                return min.blocks(w);
            }
        }
        return null;
    }

    /** Asks for the eviction: {@code null} when accepted (or the pod is already gone), else why it was refused. */
    private static String evict(KubernetesClient client, Pod p) {
        try {
            boolean ok = client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName())
                    .evict();
            return ok ? null : "refused: it would violate a PodDisruptionBudget";
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return null;
            }
            return KubernetesErrors.text(e);
        }
    }

    /** Waits until the evicted pods are gone or the deadline passes; returns those still there. */
    private List<String> waitGone(KubernetesClient client, List<Pod> pods, List<String> evicted, long deadline) {
        List<String> remaining = new ArrayList<>();
        if (System.nanoTime() >= deadline) {
            return remaining;
        }
        List<Pod> watching = pods.stream().filter(p -> evicted.contains(KubernetesTarget.ref(p))).toList();
        while (true) {
            remaining.clear();
            for (Pod p : watching) {
                Pod now = client.pods().inNamespace(p.getMetadata().getNamespace())
                        .withName(p.getMetadata().getName()).get();
                if (now != null && Objects.equals(now.getMetadata().getUid(), p.getMetadata().getUid())) {
                    remaining.add(KubernetesTarget.ref(p));
                }
            }
            if (remaining.isEmpty() || !sleepUntil(deadline)) {
                return remaining;
            }
        }
    }

    /** Sleeps one poll interval unless the deadline is reached first; false when it is. */
    private boolean sleepUntil(long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        try {
            Thread.sleep(Math.max(1, Math.min(pollInterval.toMillis(), left / 1_000_000)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return true;
    }

    private static Map<String, String> objects(Pod pod, String node) {
        Map<String, String> m = KubernetesTarget.objects(pod);
        m.put("node", node);
        return m;
    }
}
