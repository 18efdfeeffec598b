package org.falcosecurity.talon.ops;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.async.DiscardingAsyncQueueFullPolicy;
import org.apache.logging.log4j.core.async.EventRoute;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the server's asynchronous log appender does when its bounded queue is full ({@code log4j2-color.xml},
 * {@code log4j2-text.xml}, {@code log4j2-json.xml}; named by {@code log4j2.AsyncQueueFullPolicy} in
 * {@code log4j2.component.properties}): an INFO, DEBUG or TRACE line is dropped and counted (log4j2's
 * {@link DiscardingAsyncQueueFullPolicy}), so logging every event never holds up the intake or a worker; a WARN or
 * ERROR line is never dropped: the thread that logs it waits for room in the queue (the appender's own thread
 * writes it at once). The count is {@code falco_talon_log_events_dropped_total} at {@code /metrics}.
 */
public class LogQueuePolicy extends DiscardingAsyncQueueFullPolicy {

    private static final LongAdder DROPPED = new LongAdder();

    /** Instantiated by log4j2 (by class name) for each asynchronous appender. */
    public LogQueuePolicy() {
        super(Level.INFO);
    }

    @Override
    public EventRoute getRoute(long backgroundThreadId, Level level) {
        EventRoute route = super.getRoute(backgroundThreadId, level);
        if (route == EventRoute.DISCARD) {
            DROPPED.increment();
        }
        return route;
    }

    /** Log lines dropped by a full queue since the JVM started. */
    public static long dropped() {
        return DROPPED.sum();
    }
}
