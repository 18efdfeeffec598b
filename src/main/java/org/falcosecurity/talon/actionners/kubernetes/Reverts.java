package org.falcosecurity.talon.actionners.kubernetes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.kubernetes.ClusterAccess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Reverts the changes of actions with a {@code ttl}: labels and annotations restored to their old values (where
 * they still hold what Talon set), the NetworkPolicy deleted, the node uncordoned. What is owed is recorded on the
 * objects themselves ({@link PendingReverts}), so this looks for it: at startup, every {@code interval}, and at the
 * expiry of a revert this replica just recorded. A restart, or another replica, completes any revert.
 *
 * <p>Every completed revert is a result record with status {@code reverted}, handed to the {@link Sink} (the rule's
 * notifiers and the audit trail). A revert that fails (the API server refused, a concurrent writer) stays recorded
 * and is tried again at the next look.
 */
public final class Reverts implements AutoCloseable {

    /** Where reverts' results go. */
    public interface Sink {
        /** A revert done ({@code status: reverted}); its {@code rule} is the rule whose action it undoes. */
        void reverted(ActionResult result);

        /** A revert that failed and will be retried. */
        void failed(ActionResult result);
    }

    private static final Logger LOG = LoggerFactory.getLogger("falco-talon.reverts");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ClusterAccess cluster;
    private final Duration interval;
    private volatile Sink sink;
    private ScheduledExecutorService timer;
    private volatile boolean warnedForbidden;
    /** The earliest expiry a look found not yet due (only read and written under this object's lock). */
    private Instant nextExpiry;
    private final java.util.Set<String> forbidden = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public Reverts(ClusterAccess cluster, Duration interval) {
        this.cluster = cluster;
        this.interval = interval;
    }

    public void sink(Sink s) {
        this.sink = s;
    }

    /** Looks for due reverts now and every interval (only with a cluster). */
    public synchronized void start() {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "falco-talon-reverts");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::runDueQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Looks again at {@code expiry} (a revert this replica just recorded), besides the periodic looks. */
    void scheduleAt(Instant expiry) {
        ScheduledExecutorService t = timer;
        if (t != null && !t.isShutdown()) {
            long delay = Math.max(0, Duration.between(Instant.now(), expiry).toMillis()) + 50;
            t.schedule(this::runDueQuietly, delay, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    private void runDueQuietly() {
        try {
            runDue();
        } catch (RuntimeException e) {
            if (e instanceof KubernetesClientException k && k.getCode() == 403) {
                if (!warnedForbidden) {
                    LOG.warn("cannot look for pending reverts: {}", e.getMessage());
                    warnedForbidden = true;
                }
            } else {
                LOG.warn("looking for pending reverts failed (will retry): {}", e.getMessage());
            }
        }
    }

    /** Reverts every pending revert whose expiry has passed; returns their results. */
    public synchronized List<ActionResult> runDue() {
        if (!cluster.configured()) {
            return List.of();
        }
        Instant now = Instant.now();
        List<ActionResult> out = revert(e -> !e.expiry().isAfter(now), "its ttl ended");
        Instant next = nextExpiry;
        nextExpiry = null;
        if (next != null) {
            // found pending but not yet due (recorded before a restart, or by another replica): look again then
            scheduleAt(next);
        }
        return out;
    }

    /** Reverts now every pending revert of the actions of one event ({@code undo}); returns their results. */
    public synchronized List<ActionResult> undo(String traceId) {
        return revert(e -> traceId.equals(e.traceId()), "undo");
    }

    private List<ActionResult> revert(Predicate<PendingReverts.Entry> which, String why) {
        KubernetesClient client = cluster.client();
        List<ActionResult> out = new ArrayList<>();
        for (HasMetadata o : pending("pods", () -> client.pods().inAnyNamespace()
                .withLabel(PendingReverts.SELECTOR_KEY).list().getItems())) {
            revertOn(client, o, which, why, out);
        }
        for (HasMetadata o : pending("nodes", () -> client.nodes().withLabel(PendingReverts.SELECTOR_KEY).list()
                .getItems())) {
            revertOn(client, o, which, why, out);
        }
        for (HasMetadata o : pending("networkpolicies", () -> client.network().v1().networkPolicies()
                .inAnyNamespace().withLabel(PendingReverts.SELECTOR_KEY).list().getItems())) {
            revertOn(client, o, which, why, out);
        }
        return out;
    }

    /**
     * The objects of one kind labelled pending; none when Talon may not list them (the chart grants the list only
     * to the actionners that are enabled: a kind no enabled actionner changes has nothing pending).
     */
    private List<? extends HasMetadata> pending(String resource, Supplier<List<? extends HasMetadata>> list) {
        try {
            return list.get();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403) {
                if (forbidden.add(resource)) {
                    LOG.info("not looking for pending reverts on {}: {}", resource, e.getMessage());
                }
                return List.of();
            }
            throw e;
        }
    }

    /** The reverts of one object, in one patch (or one delete), then one result per entry. */
    private void revertOn(KubernetesClient client, HasMetadata o, Predicate<PendingReverts.Entry> which, String why,
                          List<ActionResult> out) {
        List<PendingReverts.Entry> all = PendingReverts.read(o);
        List<PendingReverts.Entry> chosen = all.stream().filter(which)
                .sorted(Comparator.comparing(PendingReverts.Entry::expires)).toList();
        if (chosen.isEmpty()) {
            if (all.isEmpty()) {
                dropMarker(client, o);
            }
            for (PendingReverts.Entry r : all) {
                if (nextExpiry == null || r.expiry().isBefore(nextExpiry)) {
                    nextExpiry = r.expiry();
                }
            }
            return;
        }
        List<PendingReverts.Entry> remaining = new ArrayList<>(all);
        remaining.removeAll(chosen);
        for (PendingReverts.Entry r : remaining) {
            if (nextExpiry == null || r.expiry().isBefore(nextExpiry)) {
                nextExpiry = r.expiry();
            }
        }
        ArrayNode ops = JSON.createArrayNode();
        Map<PendingReverts.Entry, String> done = new LinkedHashMap<>();
        boolean deletePolicy = false;
        for (PendingReverts.Entry e : chosen) {
            switch (e.kind()) {
                case PendingReverts.LABELS, PendingReverts.ANNOTATIONS -> done.put(e, restore(ops, o, e));
                case PendingReverts.UNCORDON -> {
                    if (remaining.stream().anyMatch(r -> PendingReverts.UNCORDON.equals(r.kind()))) {
                        done.put(e, "node " + o.getMetadata().getName() + " stays cordoned: a later action keeps"
                                + " it so");
                    } else if (o instanceof Node n && n.getSpec() != null
                            && Boolean.TRUE.equals(n.getSpec().getUnschedulable())) {
                        ops.addObject().put("op", "replace").put("path", "/spec/unschedulable").put("value", false);
                        done.put(e, "node " + o.getMetadata().getName() + " uncordoned (schedulable)");
                    } else {
                        done.put(e, "node " + o.getMetadata().getName() + " was already schedulable");
                    }
                }
                case PendingReverts.DELETE_POLICY -> {
                    Map<String, String> labels = o.getMetadata().getLabels();
                    if (!(o instanceof NetworkPolicy) || labels == null
                            || !EgressIsolation.TALON.equals(labels.get(EgressIsolation.MANAGED_BY))) {
                        // the annotation is only trusted to delete what Talon itself manages
                        done.put(e, ref(o) + " is not a NetworkPolicy managed by Falco Talon: not deleting it");
                    } else if (remaining.stream().anyMatch(r -> PendingReverts.DELETE_POLICY.equals(r.kind()))) {
                        done.put(e, "NetworkPolicy " + ref(o) + " stays: a later action's ttl has not ended");
                    } else {
                        deletePolicy = true;
                        done.put(e, "NetworkPolicy " + ref(o) + " deleted");
                    }
                }
                default -> done.put(e, "nothing to revert for '" + e.kind() + "'");
            }
        }
        try {
            if (deletePolicy) {
                client.network().v1().networkPolicies().inNamespace(o.getMetadata().getNamespace())
                        .withName(o.getMetadata().getName()).delete();
            } else {
                PendingReverts.patchOps(ops, o, remaining);
                patch(client, o, ops);
            }
        } catch (KubernetesClientException ex) {
            String error = ex.getCode() == 422 || ex.getCode() == 409
                    ? "the object changed meanwhile (another replica?); retried at the next look"
                    : "the API server answered " + ex.getCode() + ": " + ex.getMessage();
            for (PendingReverts.Entry e : chosen) {
                Sink s = sink;
                if (s != null) {
                    s.failed(result(e, o, ActionResult.FAILURE, "revert of '" + e.action() + "' failed", error));
                }
            }
            LOG.warn("revert on {} failed: {}", ref(o), error);
            return;
        }
        for (Map.Entry<PendingReverts.Entry, String> d : done.entrySet()) {
            ActionResult r = result(d.getKey(), o, ActionResult.REVERTED, d.getValue() + " (" + why + ")", "");
            out.add(r);
            Sink s = sink;
            if (s != null) {
                s.reverted(r);
            }
        }
    }

    /** Restores the keys of a label or annotation entry that still hold what Talon set; says what it did. */
    private static String restore(ArrayNode ops, HasMetadata o, PendingReverts.Entry e) {
        String field = e.kind();
        Map<String, String> current = PendingReverts.LABELS.equals(field) ? o.getMetadata().getLabels()
                : o.getMetadata().getAnnotations();
        List<String> restored = new ArrayList<>();
        List<String> left = new ArrayList<>();
        for (Map.Entry<String, String> k : e.set().entrySet()) {
            String key = k.getKey();
            String now = current == null ? null : current.get(key);
            if (!Objects.equals(now, k.getValue())) {
                left.add(key + " (changed since)");
                continue;
            }
            String old = e.old().get(key);
            String path = "/metadata/" + field + "/" + MetadataPatcher.escape(key);
            if (old == null) {
                if (now != null) {
                    ops.addObject().put("op", "remove").put("path", path);
                }
                restored.add(key + " removed");
            } else {
                if (current == null || current.isEmpty()) {
                    // fabric8 shows a missing map as empty; a real API server cannot add below a missing object
                    ops.addObject().put("op", "add").put("path", "/metadata/" + field).putObject("value");
                    current = Map.of(key, "");
                }
                ops.addObject().put("op", "add").put("path", path).put("value", old);
                restored.add(key + "=" + old);
            }
        }
        String what = (o instanceof Node ? "node " + o.getMetadata().getName() : "pod " + ref(o)) + ": " + field
                + " restored: " + (restored.isEmpty() ? "none" : String.join(", ", restored));
        return left.isEmpty() ? what : what + "; left alone: " + String.join(", ", left);
    }

    /** An object labelled pending with nothing recorded (its annotation was removed by hand): drop the label. */
    private static void dropMarker(KubernetesClient client, HasMetadata o) {
        ArrayNode ops = JSON.createArrayNode();
        PendingReverts.patchOps(ops, o, List.of());
        if (!ops.isEmpty()) {
            try {
                patch(client, o, ops);
            } catch (KubernetesClientException e) {
                LOG.debug("dropping the pending label of {}: {}", ref(o), e.getMessage());
            }
        }
    }

    private static void patch(KubernetesClient client, HasMetadata o, ArrayNode ops) {
        if (ops.isEmpty()) {
            return;
        }
        PatchContext json = PatchContext.of(PatchType.JSON);
        String body = ops.toString();
        if (o instanceof Pod p) {
            client.pods().inNamespace(p.getMetadata().getNamespace()).resource(p).patch(json, body);
        } else if (o instanceof Node n) {
            client.nodes().resource(n).patch(json, body);
        } else if (o instanceof NetworkPolicy np) {
            client.network().v1().networkPolicies().inNamespace(np.getMetadata().getNamespace()).resource(np)
                    .patch(json, body);
        }
    }

    private static ActionResult result(PendingReverts.Entry e, HasMetadata o, String status, String message,
                                       String error) {
        Map<String, String> objects = new LinkedHashMap<>();
        if (o instanceof Pod) {
            objects.put("pod", o.getMetadata().getName());
            objects.put("namespace", o.getMetadata().getNamespace());
        } else if (o instanceof Node) {
            objects.put("node", o.getMetadata().getName());
        } else {
            objects.put("networkpolicy", o.getMetadata().getName());
            objects.put("namespace", o.getMetadata().getNamespace());
        }
        return new ActionResult(Instant.now(), e.traceId(), status, e.rule(), e.action(), e.actionner(), message, "",
                error, "", "", "", "", "", objects);
    }

    private static String ref(HasMetadata o) {
        String ns = o.getMetadata().getNamespace();
        return (ns == null ? "" : ns + "/") + o.getMetadata().getName();
    }
}
