package org.falcosecurity.talon.notifiers;

import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.TalonTestServer;
import org.falcosecurity.talon.support.TestRules;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A notifier sends {@code workers} notifications at once, never more, even when its route completes asynchronously
 * (as the Elasticsearch and OpenSearch components do): here a notifier route of routes_directory whose step waits
 * on a timer thread, so its queue's consumer would otherwise take every queued notification at once.
 */
class NotifierWorkersTest {

    private static final int EVENTS = 8;
    private static final int WORKERS = 3;

    /** Counts the notifications inside the route, and the most at once. */
    public static final class InFlight {
        private final AtomicInteger now = new AtomicInteger();
        private final AtomicInteger most = new AtomicInteger();
        private final AtomicInteger done = new AtomicInteger();

        public void enter() {
            most.accumulateAndGet(now.incrementAndGet(), Math::max);
        }

        public void exit() {
            now.decrementAndGet();
            done.incrementAndGet();
        }
    }

    private static final InFlight IN_FLIGHT = new InFlight();
    private static TalonTestServer talon;

    @BeforeAll
    static void start() throws Exception {
        talon = TalonTestServer.builder()
                .config("default_notifiers: [slow]\n"
                        + "deduplication: {time_window_seconds: 0}\n"
                        + "notifiers:\n"
                        + "  slow: {workers: " + WORKERS + "}\n")
                .rules(TestRules.LOG_SHELL)
                .bean("inFlight", IN_FLIGHT)
                .route("notifier-slow.camel.yaml", """
                        - route:
                            id: notifier-slow
                            from:
                              uri: direct:notifier-slow
                              steps:
                                - bean: {ref: inFlight, method: enter}
                                - delay:
                                    constant: 400
                                    asyncDelayed: true
                                - bean: {ref: inFlight, method: exit}
                        """)
                .start();
    }

    @AfterAll
    static void stop() {
        talon.close();
    }

    @Test
    void aNotifierHasAtMostItsWorkersInFlightAndDeliversEverything() throws Exception {
        for (int i = 0; i < EVENTS; i++) {
            assertThat(talon.post(Events.shell("default", "web-" + i)).statusCode()).isEqualTo(200);
        }
        var counters = talon.server().runtime().counters();
        await().atMost(Duration.ofSeconds(20)).until(() -> IN_FLIGHT.done.get() == EVENTS);
        assertThat(IN_FLIGHT.most.get()).isEqualTo(WORKERS);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> counters.get("notifications", "notifier", "slow", "status", "sent") == EVENTS);
    }
}
