package org.falcosecurity.talon.ops;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * At most one log line per key and interval for a loss that an overload repeats: a notification dropped by a full
 * notifier queue (keyed by the notifier), an event refused with 429 by a full worker queue (the intake). Under an
 * overload every event can cause one: a WARN or ERROR line each would flood the log (a sender could fill it at will)
 * and, as WARN and ERROR lines are never dropped by the asynchronous log, would make the threads wait for the console.
 * Every loss is still counted ({@code falco_talon_notifications_lost_total}, {@code falco_talon_events_rejected_total});
 * the next line written says how many were not logged. Keyed by names from the configuration or the code, never by
 * event data.
 */
public final class LogLimiter {

    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    public LogLimiter(long intervalNanos, LongSupplier nanoClock) {
        this.intervalNanos = intervalNanos;
        this.nanoClock = nanoClock;
    }

    /** One line per key and second, on the system's clock: what Talon's loss lines use. */
    public static LogLimiter perSecond() {
        return new LogLimiter(TimeUnit.SECONDS.toNanos(1), System::nanoTime);
    }

    /**
     * @return {@code -1}: do not log this loss; otherwise log it, with this many losses of the key not logged since
     * its previous line
     */
    public long admit(String key) {
        Window window = windows.computeIfAbsent(key, n -> new Window());
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
