package org.falcosecurity.talon.delivery;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * At most one log line per notifier and interval for notifications dropped by a full queue. Under an overload every
 * event can drop a notification: one ERROR line each would flood the log (a sender could fill it at will) and, as
 * WARN and ERROR lines are never dropped by the asynchronous log, would make the workers wait for the console. Every
 * drop is still counted ({@code falco_talon_notifications_lost_total}) and written to the dead letter when one is set;
 * the next line written says how many were not logged. Keyed by notifier names from the configuration, never by
 * event data.
 */
final class LossLogLimiter {

    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    LossLogLimiter(long intervalNanos, LongSupplier nanoClock) {
        this.intervalNanos = intervalNanos;
        this.nanoClock = nanoClock;
    }

    /**
     * @return {@code -1}: do not log this drop; otherwise log it, with this many drops of the notifier not logged
     * since its previous line
     */
    long admit(String notifier) {
        Window window = windows.computeIfAbsent(notifier, n -> new Window());
        synchronized (window) {
            long now = nanoClock.getAsLong();
            if (window.logged && now - window.next < 0) {
                window.suppressed++;
                return -1;
            }
            long suppressed = window.suppressed;
            window.suppressed = 0;
            window.next = now + intervalNanos;
            window.logged = true;
            return suppressed;
        }
    }

    private static final class Window {
        private boolean logged;
        private long next;
        private long suppressed;
    }
}
