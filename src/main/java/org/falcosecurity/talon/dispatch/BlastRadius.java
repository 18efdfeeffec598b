package org.falcosecurity.talon.dispatch;

import org.falcosecurity.talon.rules.Event;

/**
 * The blast-radius limits ({@code blast_radius.*}) a guarded action must fit in before it runs: counted in this
 * replica's memory ({@link BlastRadiusGuard}: one replica, no cluster) or in the cluster, shared by every replica
 * ({@code replicas/SharedBlastRadius}).
 */
public interface BlastRadius {

    /**
     * Counts the action if it is guarded and within every limit.
     *
     * @return {@code null} when the action may run, else why it may not (it is then {@code ignored})
     * @throws Unavailable when the limits cannot be checked: the guarded action does not run ({@code failure})
     */
    String tryAcquire(String rule, String actionner, Event event) throws Unavailable;

    /** The shared counters cannot be read or written (the API server is unreachable, the Role is missing). */
    final class Unavailable extends Exception {
        public Unavailable(String message) {
            super(message, null, false, false);
        }
    }
}
