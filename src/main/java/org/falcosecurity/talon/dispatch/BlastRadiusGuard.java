package org.falcosecurity.talon.dispatch;

import org.falcosecurity.talon.ops.TalonCounters;
import org.falcosecurity.talon.rules.Event;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Caps destructive actions (by default terminate, delete, drain, networkpolicy) per time window: all rules
 * together, per rule, and per workload. An action over a limit is not run: its result is {@code ignored} with the
 * reason, and the notifiers are told. Limits of 0 mean no limit; with every limit at 0 the guard allows everything.
 *
 * <p>The workload is derived from the pod name without a Kubernetes call: {@code <ns>/<name>-<hash>-<id>} (a
 * Deployment's pod) counts as {@code <ns>/<name>}, {@code <name>-<id>} (DaemonSet, Job) and {@code <name>-<n>}
 * (StatefulSet) as {@code <ns>/<name>}; a pod whose name matches none of these counts on its own.
 *
 * <p>The per-workload map is keyed by names the sender chooses: it holds at most {@value #MAX_TRACKED} workloads
 * (and as many rules). A workload is only tracked once an action on it was allowed; when the map is full, windows
 * that emptied are dropped first, then the least recently used workload, counted in
 * {@code falco_talon_tracking_evicted_total{map="blast_radius_workload"}} (with the default limits, the window's total
 * {@code max_actions} is reached long before).
 */
public class BlastRadiusGuard implements BlastRadius {

    private static final Pattern DEPLOYMENT_POD = Pattern.compile("^(.+)-[a-z0-9]{5,10}-[a-z0-9]{5}$");
    private static final Pattern SUFFIXED_POD = Pattern.compile("^(.+)-([a-z0-9]{5}|\\d+)$");

    /** Most rules, and most workloads, tracked at once (a hard bound on memory; a replica or the shared counters). */
    public static final int MAX_TRACKED = 10_000;

    private final long windowNanos;
    private final int maxTotal;
    private final int maxPerRule;
    private final int maxPerWorkload;
    private final Set<String> guarded;
    private final LongSupplier clock;
    private final TalonCounters counters;
    private final Deque<Long> total = new ArrayDeque<>();
    /** Access-ordered: the eldest entry is the least recently used. */
    private final LinkedHashMap<String, Deque<Long>> perRule = new LinkedHashMap<>(16, 0.75f, true);
    private final LinkedHashMap<String, Deque<Long>> perWorkload = new LinkedHashMap<>(16, 0.75f, true);

    public BlastRadiusGuard(int windowSeconds, int maxTotal, int maxPerRule, int maxPerWorkload,
                            List<String> guardedActionners, LongSupplier clock, TalonCounters counters) {
        this.counters = counters;
        this.windowNanos = windowSeconds * 1_000_000_000L;
        this.maxTotal = maxTotal;
        this.maxPerRule = maxPerRule;
        this.maxPerWorkload = maxPerWorkload;
        this.guarded = Set.copyOf(guardedActionners);
        this.clock = clock;
    }

    /** Whether any limit is set. */
    public boolean enabled() {
        return maxTotal > 0 || maxPerRule > 0 || maxPerWorkload > 0;
    }

    /**
     * Counts the action if it is within every limit.
     *
     * @return {@code null} when the action may run, else the reason it may not
     */
    @Override
    public synchronized String tryAcquire(String rule, String actionner, Event event) {
        if (!enabled() || !guarded.contains(actionner)) {
            return null;
        }
        long now = clock.getAsLong();
        String workload = workload(event);
        Deque<Long> byRule = perRule.getOrDefault(rule, new ArrayDeque<>());
        Deque<Long> byWorkload = workload == null ? null : perWorkload.getOrDefault(workload, new ArrayDeque<>());
        prune(total, now);
        prune(byRule, now);
        if (byWorkload != null) {
            prune(byWorkload, now);
        }
        long window = windowNanos / 1_000_000_000L;
        if (maxTotal > 0 && total.size() >= maxTotal) {
            return "blast-radius limit: at most " + maxTotal + " destructive actions per " + window + "s (all rules)";
        }
        if (maxPerRule > 0 && byRule.size() >= maxPerRule) {
            return "blast-radius limit: at most " + maxPerRule + " destructive actions per " + window
                    + "s for rule '" + rule + "'";
        }
        if (maxPerWorkload > 0 && byWorkload != null && byWorkload.size() >= maxPerWorkload) {
            return "blast-radius limit: at most " + maxPerWorkload + " destructive actions per " + window
                    + "s on workload " + workload;
        }
        total.addLast(now);
        byRule.addLast(now);
        track(perRule, rule, byRule, now, "blast_radius_rule");
        if (byWorkload != null) {
            byWorkload.addLast(now);
            track(perWorkload, workload, byWorkload, now, "blast_radius_workload");
        }
        return null;
    }

    /** Keeps {@code times} under {@code key}, within {@link #MAX_TRACKED} entries. */
    private void track(LinkedHashMap<String, Deque<Long>> map, String key, Deque<Long> times, long now, String name) {
        if (map.put(key, times) != null || map.size() <= MAX_TRACKED) {
            return;
        }
        map.values().removeIf(d -> {
            prune(d, now);
            return d.isEmpty();
        });
        Iterator<String> eldest = map.keySet().iterator();
        while (map.size() > MAX_TRACKED && eldest.hasNext()) {
            eldest.next();
            eldest.remove();
            if (counters != null) {
                counters.increment("tracking_evicted", "map", name);
            }
        }
    }

    /** Rules and workloads tracked (for tests: bounded). */
    public synchronized int tracked() {
        return perRule.size() + perWorkload.size();
    }

    private void prune(Deque<Long> times, long now) {
        while (!times.isEmpty() && now - times.peekFirst() >= windowNanos) {
            times.pollFirst();
        }
    }

    /** {@code namespace/workload} of the event's pod, or {@code null} when the event names no pod. */
    public static String workload(Event e) {
        String pod = e.podName();
        if (pod == null) {
            return null;
        }
        String ns = e.namespace() == null ? "" : e.namespace();
        var m = DEPLOYMENT_POD.matcher(pod);
        if (m.matches()) {
            return ns + "/" + m.group(1);
        }
        m = SUFFIXED_POD.matcher(pod);
        if (m.matches()) {
            return ns + "/" + m.group(1);
        }
        return ns + "/" + pod;
    }
}
