package org.falcosecurity.talon.delivery;

import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.falcosecurity.talon.contract.TalonHeaders;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Counts the notifications of one event that are still on their way, so that a Kafka consumer commits the event's
 * offset only once they are delivered or dead-lettered (at-least-once, notifications included).
 *
 * <p>The Kafka consumer route puts one on the exchange ({@link TalonHeaders#PROP_NOTIFICATIONS}); the dispatch
 * routes' copies share it. {@link NotifierFanOut} calls {@link #track} for each copy it offers to a notifier queue:
 * the seda producer hands the copy's on-completion over to the queue's consumer, so it fires when the notifier
 * queue route is done with it — delivered, or dead-lettered after its retries. A copy the queue refused (full) is
 * {@link Ticket#done() done} at once. In HTTP mode there is no tracker and nothing changes.
 */
public final class NotificationTracker {

    private int pending;

    /** A notification on its way; {@link #done()} counts it once, however often it is called. */
    public final class Ticket extends SynchronizationAdapter {
        private final AtomicBoolean done = new AtomicBoolean();

        public void done() {
            if (done.compareAndSet(false, true)) {
                finished();
            }
        }

        @Override
        public void onDone(Exchange exchange) {
            done();
        }
    }

    /** The tracker of the exchange's event, or {@code null} (HTTP mode). */
    public static NotificationTracker of(Exchange exchange) {
        return exchange.getProperty(TalonHeaders.PROP_NOTIFICATIONS, NotificationTracker.class);
    }

    /** Counts a notification about to be offered to a queue, and ties its ticket to the copy's completion. */
    public Ticket track(Exchange copy) {
        Ticket t = new Ticket();
        synchronized (this) {
            pending++;
        }
        copy.getExchangeExtension().addOnCompletion(t);
        return t;
    }

    private synchronized void finished() {
        pending--;
        if (pending <= 0) {
            notifyAll();
        }
    }

    /** Notifications still on their way. */
    public synchronized int pending() {
        return pending;
    }

    /**
     * Waits until every tracked notification is done, at most {@code timeoutMs}.
     *
     * @return true when all are done; false when some were still on their way after the timeout
     */
    public synchronized boolean await(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (pending > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }
}
