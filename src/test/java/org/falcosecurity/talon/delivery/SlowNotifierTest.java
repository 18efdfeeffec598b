package org.falcosecurity.talon.delivery;

import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.HttpReceiver;
import org.falcosecurity.talon.support.TalonTestServer;
import org.falcosecurity.talon.support.TestRules;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A notifier that hangs delays only its own notifications: the next events of the same pod (same worker, same pod
 * gate) still run their actions while the first notification is stuck at the target. Before the fan-out gave each
 * notification its own unit of work, the pod gate's release was handed over to the first notification, so the pod's
 * next event waited for it (here: for the notifier's read timeout of 25 s, past the 20 s the test waits for the results).
 */
class SlowNotifierTest {

    private static final int EVENTS = 3;

    @Test
    void aHangingNotifierDoesNotHoldUpThePodsNextEvents() throws Exception {
        try (HttpReceiver hanging = HttpReceiver.hanging();
             TalonTestServer talon = TalonTestServer.builder()
                     .config("default_notifiers: [webhook]\n"
                             + "deduplication: {time_window_seconds: 0}\n"
                             + "notifiers:\n"
                             + "  webhook: {url: '" + hanging.url() + "/hook'}\n")
                     .rules(TestRules.LOG_SHELL)
                     .property("talon.notifier.read-timeout-ms", "25000")
                     .property("talon.notifier.max-redeliveries", "0")
                     .start()) {
            String samePod = "{\"k8s.ns.name\":\"default\",\"k8s.pod.name\":\"web-0\"}";
            for (int i = 0; i < EVENTS; i++) {
                assertThat(talon.post(Events.event("Terminal shell in container", "Notice", samePod)).statusCode())
                        .isEqualTo(200);
            }
            // every event's action ran, while the first notification still hangs at the webhook
            assertThat(talon.awaitResults(EVENTS)).hasSize(EVENTS);
            await().atMost(Duration.ofSeconds(20)).until(() -> !hanging.requests().isEmpty());
            assertThat(talon.server().runtime().counters().get("notifications", "notifier", "webhook",
                    "status", "sent")).isZero();
        }
    }
}
