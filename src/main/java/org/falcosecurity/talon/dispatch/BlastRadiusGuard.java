package org.falcosecurity.talon.dispatch;

import org.falcosecurity.talon.rules.Event;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
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
 */
public class BlastRadiusGuard implements BlastRadius {

    private static final Pattern DEPLOYMENT_POD = Pattern.compile("^(.+)-[a-z0-9]{5,10}-[a-z0-9]{5}$");
    private static final Pattern SUFFIXED_POD = Pattern.compile("^(.+)-([a-z0-9]{5}|\\d+)$");

    /** Beyond this many tracked rules or workloads, empty windows are swept (bounds memory). */
    /** At most this many rules and workloads are tracked (a replica or the shared counters). */
    public static final int MAX_TRACKED = 10_000;

    private final long windowNanos;
    private final int maxTotal;
    private final int maxPerRule;
    private final int maxPerWorkload;
    private final Set<String> guarded;
    private final LongSupplier clock;
    private final Deque<Long> total = new ArrayDeque<>();
    private final Map<String, Deque<Long>> perRule = new HashMap<>();
    private final Map<String, Deque<Long>> perWorkload = new HashMap<>();

    public BlastRadiusGuard(int windowSeconds, int maxTotal, int maxPerRule, int maxPerWorkload,
                            List<String> guardedActionners, LongSupplier clock) {
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
        Deque<Long> byRule = perRule.computeIfAbsent(rule, k -> new ArrayDeque<>());
        Deque<Long> byWorkload = workload == null ? null : perWorkload.computeIfAbsent(workload, k -> new ArrayDeque<>());
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
        if (byWorkload != null) {
            byWorkload.addLast(now);
        }
        if (perWorkload.size() > MAX_TRACKED || perRule.size() > MAX_TRACKED) {
            perWorkload.values().removeIf(d -> {
                prune(d, now);
                return d.isEmpty();
            });
            perRule.values().removeIf(d -> {
                prune(d, now);
                return d.isEmpty();
            });
        }
        return null;
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
