package org.falcosecurity.talon.notifiers;

import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.HttpReceiver;
import org.falcosecurity.talon.support.TalonTestServer;
import org.falcosecurity.talon.support.TestRules;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A notifier whose target hangs fills its own queue: its further notifications are dropped and counted, while the
 * intake keeps answering and the other notifiers still get every result. Its workers each hold one notification at
 * the target, never more.
 */
class NotifierQueueFullTest {

    private static final int EVENTS = 8;
    private static final int WORKERS = 3;
    private static HttpReceiver hanging;
    private static TalonTestServer talon;
    private static Path outDir;

    @BeforeAll
    static void start() throws Exception {
        hanging = HttpReceiver.hanging();
        outDir = Files.createTempDirectory("talon-queue-full");
        talon = TalonTestServer.builder()
                .config("default_notifiers: [webhook, file]\n"
                        // the events differ only by pod: keep every one of them
                        + "deduplication: {time_window_seconds: 0}\n"
                        + "notifiers:\n"
                        + "  webhook: {url: '" + hanging.url() + "/hook', workers: " + WORKERS + "}\n"
                        + "  file: {directory: " + outDir + ", filename: results.jsonl}\n")
                .rules(TestRules.LOG_SHELL)
                .property("talon.notifier.queue-size", "1")
                .property("talon.notifier.read-timeout-ms", "6000")
                .property("talon.notifier.max-redeliveries", "0")
                .start();
    }

    @AfterAll
    static void stop() {
        talon.close();
        hanging.close();
    }

    @Test
    void onlyTheStuckNotifierLosesNotifications() throws Exception {
        Path file = outDir.resolve("results.jsonl");
        for (int i = 0; i < EVENTS; i++) {
            assertThat(talon.post(Events.shell("default", "web-" + i)).statusCode()).isEqualTo(200);
            // the file notifier (queue of 1 too) keeps up: every result reaches it while webhook's queue is full
            int n = i + 1;
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> Files.exists(file) && Files.readAllLines(file).size() == n);
            if (i < WORKERS) {
                // a worker takes each of the first WORKERS notifications to the target before the next comes, so
                // none of them can find the queue of 1 still holding the one before
                await().atMost(Duration.ofSeconds(5)).until(() -> hanging.requests().size() == n);
            }
        }
        // one notification per worker is stuck at the target, one waits in the queue of size 1: the others are
        // dropped
        var counters = talon.server().runtime().counters();
        assertThat(counters.get("notifications_lost", "notifier", "webhook", "reason", "queue_full"))
                .isEqualTo(EVENTS - WORKERS - 1);
        assertThat(hanging.requests()).hasSize(WORKERS);
        assertThat(counters.get("notifications_lost", "notifier", "file", "reason", "queue_full")).isZero();
    }
}
