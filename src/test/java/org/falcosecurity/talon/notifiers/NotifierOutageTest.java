package org.falcosecurity.talon.notifiers;

import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.HttpReceiver;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A notifier whose target is down for a while: its notifications are retried and delivered once it is back, or,
 * when it stays down past the retries, dead-lettered (logged, counted, written to the dead-letter file) — never
 * silently lost. The retry delays are scaled down here; with the shipped settings (1 s doubling up to 30 s, 8
 * retries) a notification waits out about two minutes of outage.
 */
class NotifierOutageTest {

    private static final String RULES = "- rule: dry\n  dry_run: true\n  actions: [{action: a, actionner: custom:log}]\n";

    private static String event(int i) {
        return Events.event("outage", "Warning", "{\"k8s.pod.name\":\"p" + i + "\",\"k8s.ns.name\":\"ns\"}")
                .replace("test output", "outage " + i);
    }

    @Test
    void notificationsWaitForTheTargetToComeBack() throws Exception {
        int port = TalonTestServer.freePort();
        try (TalonTestServer t = TalonTestServer.builder()
                .config("default_notifiers: [webhook]\nnotifiers:\n  webhook:\n    url: http://127.0.0.1:" + port
                        + "/hook\n")
                .rules(RULES)
                .property("talon.notifier.max-redeliveries", "40")
                .property("talon.notifier.redelivery-delay-ms", "100")
                .property("talon.notifier.max-redelivery-delay-ms", "500")
                .start()) {
            for (int i = 0; i < 5; i++) {
                assertThat(t.post(event(i)).statusCode()).isEqualTo(200);
            }
            // the target is down: the notification is retried, again and again
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    t.server().runtime().counters().get("notification_retries", "notifier", "webhook") >= 6);
            assertThat(t.results()).hasSize(5);
            try (HttpReceiver back = HttpReceiver.on(port, 200)) {
                List<HttpReceiver.Request> got = back.await(5);
                assertThat(got).hasSize(5).allSatisfy(r -> assertThat(r.path()).isEqualTo("/hook"));
                assertThat(got.stream().map(r -> r.body().replaceAll(".*\"pod\":\"(p\\d)\".*", "$1")))
                        .containsExactlyInAnyOrder("p0", "p1", "p2", "p3", "p4");
            }
            assertThat(t.server().runtime().counters().get("notifications_lost", "notifier", "webhook", "reason",
                    "failed")).isZero();
        }
    }

    @Test
    void aTargetThatStaysDownIsDeadLetteredNotLost(@TempDir Path dir) throws Exception {
        int port = TalonTestServer.freePort();
        Path deadLetters = dir.resolve("dead-letters.jsonl");
        try (TalonTestServer t = TalonTestServer.builder()
                .config("default_notifiers: [webhook]\nnotifiers:\n  webhook:\n    url: http://127.0.0.1:" + port
                        + "/hook\n")
                .rules(RULES)
                .property("talon.notifier.max-redeliveries", "2")
                .property("talon.notifier.redelivery-delay-ms", "50")
                .property("talon.notifier.dead-letter-file", deadLetters.toString())
                .start()) {
            for (int i = 0; i < 3; i++) {
                assertThat(t.post(event(i)).statusCode()).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> t.server().runtime().counters()
                    .get("notifications_lost", "notifier", "webhook", "reason", "failed") == 3);
            // a loss is counted, then its line appended: the last line may follow the count by a moment
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(deadLetters)
                    && Files.readAllLines(deadLetters).size() >= 3);
            List<String> lines = Files.readAllLines(deadLetters);
            assertThat(lines).hasSize(3).allSatisfy(l -> assertThat(l)
                    .startsWith("{\"notifier\":\"webhook\",\"reason\":\"failed\",\"result\":{")
                    .contains("\"rule\":\"dry\""));
        }
    }
}
