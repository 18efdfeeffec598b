package org.falcosecurity.talon.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.falcosecurity.talon.ops.TalonCounters;
import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.HttpReceiver;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Item 5 of "secure by default", through the running application: the dead-letter file rotates past
 * {@code talon.notifier.dead-letter-max-bytes} and keeps {@code dead-letter-max-files} rotated files, so a flood of
 * lost notifications (a notifier down, events chosen by a sender) takes a bounded amount of disk.
 */
class DeadLetterRotationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EVENTS = 20;
    private static final int MAX_BYTES = 3000;

    @Test
    void theDeadLetterFileRotatesWithinItsSizeAndCountBounds() throws Exception {
        Path dir = Files.createTempDirectory("dead-letters");
        Path file = dir.resolve("dead.jsonl");
        try (HttpReceiver down = HttpReceiver.answering(500);
             TalonTestServer talon = TalonTestServer.builder()
                     // one worker: the results, and so the dead letters, are written in the order of the events
                     .config("default_notifiers: [webhook]\n"
                             + "workers: 1\n"
                             + "deduplication: {time_window_seconds: 0}\n"
                             + "notifiers:\n  webhook: {url: '" + down.url() + "/hook'}\n")
                     .rules("- rule: Shell\n  match: {rules: [Terminal shell in container]}\n"
                             + "  actions: [{action: Log it, actionner: custom:log, parameters: {message: shell}}]\n")
                     .property("talon.notifier.max-redeliveries", "0")
                     .property("talon.notifier.redelivery-delay-ms", "10")
                     .property("talon.notifier.dead-letter-file", file.toString())
                     .property("talon.notifier.dead-letter-max-bytes", String.valueOf(MAX_BYTES))
                     .property("talon.notifier.dead-letter-max-files", "2")
                     .start()) {
            for (int i = 0; i < EVENTS; i++) {
                assertThat(talon.post(Events.shell("default", "web-" + i)).statusCode())
                        .isEqualTo(200);
            }
            TalonCounters c = talon.server().runtime().counters();
            await().atMost(Duration.ofSeconds(30)).until(() -> c.get("notifications_lost", "notifier", "webhook",
                    "reason", "failed") == EVENTS);
            // each line is about 700 bytes: 20 of them need several rotations
            assertThat(c.get("dead_letter_rotations")).isGreaterThanOrEqualTo(3);
            assertThat(Files.exists(dir.resolve("dead.jsonl.3"))).as("only 2 rotated files are kept").isFalse();
            List<String> kept = new ArrayList<>();
            for (Path p : List.of(file, dir.resolve("dead.jsonl.1"), dir.resolve("dead.jsonl.2"))) {
                assertThat(p).exists();
                assertThat(Files.size(p)).as(p.toString()).isLessThanOrEqualTo(MAX_BYTES);
                kept.addAll(Files.readAllLines(p));
            }
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                        .containsExactly("dead.jsonl", "dead.jsonl.1", "dead.jsonl.2");
            }
            // whole lines only, the newest kept (the oldest dropped with the oldest file)
            assertThat(kept).hasSizeLessThan(EVENTS).allSatisfy(l -> assertThat(JSON.readTree(l).path("reason")
                    .asText()).isEqualTo("failed"));
            assertThat(String.join("\n", kept)).contains("\"pod\":\"web-" + (EVENTS - 1) + "\"")
                    .doesNotContain("\"pod\":\"web-0\"");
        }
    }
}
