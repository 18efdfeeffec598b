package org.falcosecurity.talon.replicas;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.falcosecurity.talon.config.Settings;
import org.falcosecurity.talon.dispatch.BlastRadius;
import org.falcosecurity.talon.dispatch.BlastRadiusGuard;
import org.falcosecurity.talon.ops.TalonCounters;
import org.falcosecurity.talon.rules.Event;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Blast-radius limits that hold across every replica (HTTP with a leader, Kafka, or both): the guarded actions of
 * the window are counted in one ConfigMap in Talon's namespace ({@code <replicas.lease_name>-blast-radius}, key
 * {@value #KEY}: the time of each allowed action, all rules together, per rule and per workload), updated with
 * optimistic concurrency — read, check, add, write back at the resource version read; a replica that lost the race
 * (409) reads again. So with any number of replicas a limit of N allows N actions per window.
 *
 * <p>Fails closed: when the API server cannot be reached (or the Role is missing) a guarded action does not run — it
 * is a {@code failure} naming the reason — rather than run uncounted. Unguarded actions never touch the ConfigMap;
 * with every limit at 0 (the default) nothing is read or written.
 *
 * <p>Bounded: at most {@link #MAX_ENTRIES} times are kept (a full store refuses guarded actions until entries
 * expire) and at most {@link BlastRadiusGuard#MAX_TRACKED} workloads.
 */
public final class SharedBlastRadius implements BlastRadius {

    static final String KEY = "windows.json";
    static final int MAX_ENTRIES = 20_000;
    static final int MAX_ATTEMPTS = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The ConfigMap's content: epoch-millisecond times of the allowed actions. */
    record Windows(List<Long> total, Map<String, List<Long>> rules, Map<String, List<Long>> workloads) {
        static Windows empty() {
            return new Windows(new ArrayList<>(), new LinkedHashMap<>(), new LinkedHashMap<>());
        }
    }

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final Settings.BlastRadius limits;
    private final Set<String> guarded;
    private final TalonCounters counters;
    private final LongSupplier wallClock;

    public SharedBlastRadius(KubernetesClient client, String namespace, String leaseName, Settings.BlastRadius limits,
                             TalonCounters counters, LongSupplier wallClock) {
        this.client = client;
        this.namespace = namespace;
        this.name = leaseName + "-blast-radius";
        this.limits = limits;
        this.guarded = Set.copyOf(limits.actionners());
        this.counters = counters;
        this.wallClock = wallClock;
    }

    private boolean enabled() {
        return limits.maxActions() > 0 || limits.maxActionsPerRule() > 0 || limits.maxActionsPerWorkload() > 0;
    }

    @Override
    public String tryAcquire(String rule, String actionner, Event event) throws Unavailable {
        if (!enabled() || !guarded.contains(actionner)) {
            return null;
        }
        String workload = BlastRadiusGuard.workload(event);
        try {
            for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
                ConfigMap cm = client.configMaps().inNamespace(namespace).withName(name).get();
                long now = wallClock.getAsLong();
                Windows w = read(cm);
                prune(w, now - limits.windowSeconds() * 1000L);
                String refused = check(w, rule, workload);
                if (refused != null) {
                    counters.increment("blast_radius_checks", "result", "over_limit");
                    return refused;
                }
                w.total().add(now);
                w.rules().computeIfAbsent(rule, k -> new ArrayList<>()).add(now);
                if (workload != null) {
                    w.workloads().computeIfAbsent(workload, k -> new ArrayList<>()).add(now);
                }
                if (write(cm, w)) {
                    counters.increment("blast_radius_checks", "result", "allowed");
                    return null;
                }
                counters.increment("blast_radius_checks", "result", "conflict");
            }
            throw new Unavailable("the shared counters stayed contended for " + MAX_ATTEMPTS + " attempts");
        } catch (KubernetesClientException e) {
            counters.increment("blast_radius_checks", "result", "unavailable");
            throw new Unavailable("ConfigMap " + namespace + "/" + name + ": " + LeaseProblems.describe(e));
        }
    }

    private String check(Windows w, String rule, String workload) {
        long window = limits.windowSeconds();
        if (limits.maxActions() > 0 && w.total().size() >= limits.maxActions()) {
            return "blast-radius limit: at most " + limits.maxActions() + " destructive actions per " + window
                    + "s (all rules, all replicas)";
        }
        if (limits.maxActionsPerRule() > 0 && w.rules().getOrDefault(rule, List.of()).size()
                >= limits.maxActionsPerRule()) {
            return "blast-radius limit: at most " + limits.maxActionsPerRule() + " destructive actions per " + window
                    + "s for rule '" + rule + "' (all replicas)";
        }
        if (limits.maxActionsPerWorkload() > 0 && workload != null
                && w.workloads().getOrDefault(workload, List.of()).size() >= limits.maxActionsPerWorkload()) {
            return "blast-radius limit: at most " + limits.maxActionsPerWorkload() + " destructive actions per "
                    + window + "s on workload " + workload + " (all replicas)";
        }
        if (w.total().size() >= MAX_ENTRIES
                || (workload != null && !w.workloads().containsKey(workload)
                && w.workloads().size() >= BlastRadiusGuard.MAX_TRACKED)) {
            return "blast-radius limit: the shared counters are full (" + MAX_ENTRIES + " actions or "
                    + BlastRadiusGuard.MAX_TRACKED + " workloads in the window)";
        }
        return null;
    }

    /** Writes {@code w} over {@code read} (create when there was none); false when another replica wrote first. */
    private boolean write(ConfigMap read, Windows w) {
        String json;
        try {
            json = JSON.writeValueAsString(w);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        ConfigMapBuilder b = new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .withResourceVersion(read == null ? null : read.getMetadata().getResourceVersion())
                .addToLabels("app.kubernetes.io/name", "falco-talon")
                .addToLabels("app.kubernetes.io/part-of", "falco-talon").endMetadata()
                .addToData(KEY, json);
        try {
            if (read == null) {
                client.configMaps().inNamespace(namespace).resource(b.build()).create();
            } else {
                client.configMaps().inNamespace(namespace).resource(b.build()).update();
            }
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return false;
            }
            throw e;
        }
    }

    static Windows read(ConfigMap cm) {
        String json = cm == null || cm.getData() == null ? null : cm.getData().get(KEY);
        if (json == null) {
            return Windows.empty();
        }
        try {
            Windows w = JSON.readValue(json, Windows.class);
            return new Windows(new ArrayList<>(w.total() == null ? List.of() : w.total()),
                    w.rules() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(w.rules()),
                    w.workloads() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(w.workloads()));
        } catch (IOException e) {
            // unreadable (edited by hand): start again rather than block every guarded action
            return Windows.empty();
        }
    }

    static void prune(Windows w, long oldest) {
        w.total().removeIf(t -> t <= oldest);
        for (Map<String, List<Long>> m : List.of(w.rules(), w.workloads())) {
            m.replaceAll((k, v) -> new ArrayList<>(v.stream().filter(t -> t > oldest).toList()));
            m.values().removeIf(List::isEmpty);
        }
    }
}
