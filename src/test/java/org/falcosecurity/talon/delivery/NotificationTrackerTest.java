package org.falcosecurity.talon.delivery;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The count of an event's notifications still on their way, and the bounded wait on it. */
class NotificationTrackerTest {

    private final CamelContext context = new DefaultCamelContext();

    @Test
    void nothingTrackedIsDoneAtOnce() throws Exception {
        assertThat(new NotificationTracker().await(0)).isTrue();
    }

    @Test
    void waitsUntilEveryTicketIsDoneAndCountsEachOnce() throws Exception {
        NotificationTracker tracker = new NotificationTracker();
        NotificationTracker.Ticket a = tracker.track(new DefaultExchange(context));
        NotificationTracker.Ticket b = tracker.track(new DefaultExchange(context));
        assertThat(tracker.pending()).isEqualTo(2);
        a.done();
        a.done();
        assertThat(tracker.pending()).isEqualTo(1);
        assertThat(tracker.await(50)).isFalse();
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return tracker.await(10_000);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        b.done();
        assertThat(waiting.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(tracker.pending()).isZero();
    }

    @Test
    void theTicketIsDoneWhenTheCopyCompletes() throws Exception {
        NotificationTracker tracker = new NotificationTracker();
        Exchange copy = new DefaultExchange(context);
        tracker.track(copy);
        // what the notifier queue's consumer does once the notifier route is done with it (delivered or failed)
        copy.getExchangeExtension().handoverCompletions().forEach(s -> s.onFailure(copy));
        assertThat(tracker.await(0)).isTrue();
    }
}
