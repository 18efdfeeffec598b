package org.falcosecurity.talon.actionners.kubernetes;

import org.falcosecurity.talon.kubernetes.Workloads;

/**
 * The {@code min_healthy_replicas} parameter: an absolute count ({@code 3}, {@code "3"}) or a percentage of the
 * owner's desired replicas ({@code "50%"}, rounded up). A pod may be terminated or evicted only while its owner
 * has at least that many ready replicas.
 */
record MinHealthyReplicas(int value, boolean percent) {

    /** @return the parsed value, or {@code null} when the parameter is not set (already validated at load) */
    static MinHealthyReplicas parse(Object v) {
        if (v == null) {
            return null;
        }
        String s = String.valueOf(v).trim();
        if (s.endsWith("%")) {
            return new MinHealthyReplicas(Integer.parseInt(s.substring(0, s.length() - 1)), true);
        }
        return new MinHealthyReplicas(Integer.parseInt(s), false);
    }

    /** The ready replicas required, given the owner's desired replicas. */
    int required(int desired) {
        if (!percent) {
            return value;
        }
        // integer arithmetic: 70% of 10 is 7, not 8 as Math.ceil(10 * 0.7) would give
        return (desired * value + 99) / 100;
    }

    /** Why the workload blocks the action, or {@code null} when it has enough ready replicas. */
    String blocks(Workloads.Workload w) {
        int required = required(w.desired());
        if (w.ready() >= required) {
            return null;
        }
        return w.ref() + " has " + w.ready() + " ready replica(s), fewer than the " + required
                + " required by min_healthy_replicas " + (percent ? value + "% of " + w.desired() + " desired" : value);
    }
}
