package org.falcosecurity.talon.notifiers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.ops.TalonCounters;
import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.Facts;
import org.falcosecurity.talon.support.HttpReceiver;
import org.falcosecurity.talon.support.LogCapture;
import org.falcosecurity.talon.support.TalonTestServer;
import org.falcosecurity.talon.support.TestRules;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Notifier targets that are down, slow or failing, with the real notifiers: the webhook target never answers
 * (read timeout), Loki answers 500, Elasticsearch refuses connections, Slack answers 500 once then recovers. Actions
 * keep their results, the intake keeps answering, the healthy notifiers (file, Slack after its retry) deliver
 * everything, each retry and loss is logged and counted, and no secret reaches the log.
 */
class NotifierFailuresTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EVENTS = 3;
    private static final String SLACK_TOKEN = "slack-token-f41l";
    private static final String WEBHOOK_TOKEN = "hook-token-f41l";
    private static final String LOKI_KEY = "loki-key-f41l";
    private static final String ES_PASSWORD = "es-password-f41l";

    private static HttpReceiver slow;
    private static HttpReceiver failing;
    private static HttpReceiver flaky;
    private static LogCapture logs;
    private static TalonTestServer talon;
    private static Path outDir;
    private static Path deadLetters;
    private static final List<Long> answerMillis = new ArrayList<>();
    private static final List<HttpResponse<String>> answers = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        slow = HttpReceiver.hanging();
        failing = HttpReceiver.answering(500);
        flaky = HttpReceiver.answering(200).failingFirst(1, 500);
        int closedPort = TalonTestServer.freePort();
        outDir = Files.createTempDirectory("talon-file-notifier");
        deadLetters = outDir.resolve("dead-letters.jsonl");
        logs = LogCapture.openAtInfo();
        talon = TalonTestServer.builder()
                .config("default_notifiers: [file, webhook, loki, elasticsearch, slack]\n"
                        // the events differ only by pod: keep every one of them
                        + "deduplication: {time_window_seconds: 0}\n"
                        + "notifiers:\n"
                        + "  file: {directory: " + outDir + ", filename: results.jsonl}\n"
                        + "  webhook: {url: '" + slow.url() + "/hook/" + WEBHOOK_TOKEN + "'}\n"
                        + "  loki: {url: '" + failing.url() + "', user: u, api_key: " + LOKI_KEY + "}\n"
                        + "  elasticsearch: {url: 'http://127.0.0.1:" + closedPort + "', user: elastic,"
                        + " password: " + ES_PASSWORD + "}\n"
                        + "  slack: {webhook_url: '" + flaky.url() + "/services/T0/B0/" + SLACK_TOKEN + "'}\n")
                .rules(TestRules.LOG_SHELL)
                .property("talon.notifier.max-redeliveries", "2")
                .property("talon.notifier.redelivery-delay-ms", "20")
                .property("talon.notifier.max-redelivery-delay-ms", "50")
                .property("talon.notifier.connect-timeout-ms", "500")
                .property("talon.notifier.read-timeout-ms", "500")
                .property("talon.notifier.dead-letter-file", deadLetters.toString())
                .start();
        for (int i = 0; i < EVENTS; i++) {
            long t0 = System.nanoTime();
            answers.add(talon.post(Events.shell("default", "web-" + i)));
            answerMillis.add((System.nanoTime() - t0) / 1_000_000);
        }
    }

    @AfterAll
    static void stop() {
        talon.close();
        logs.close();
        slow.close();
        failing.close();
        flaky.close();
    }

    @Test
    void theIntakeKeepsAnsweringAndActionsKeepTheirResults() {
        assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
        assertThat(answerMillis).allSatisfy(ms -> assertThat(ms).isLessThan(2000));
        List<ActionResult> results = talon.awaitResults(EVENTS);
        assertThat(results).hasSize(EVENTS).allSatisfy(r -> assertThat(r.getStatus()).isEqualTo("success"));
    }

    @Test
    void healthyNotifiersDeliverEverything() throws Exception {
        Path file = outDir.resolve("results.jsonl");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Files.exists(file) && Files.readAllLines(file).size() == EVENTS);
        // Slack failed once (500) and got the same notification again on the retry: all three arrive intact
        List<HttpReceiver.Request> slackRequests = flaky.await(EVENTS + 1);
        assertThat(slackRequests.get(0).body()).isEqualTo(slackRequests.get(1).body());
        List<String> pods = new ArrayList<>();
        for (HttpReceiver.Request r : slackRequests.subList(1, slackRequests.size())) {
            JsonNode a = JSON.readTree(r.body()).path("attachments").get(0);
            assertThat(a.path("fallback").asText()).isEqualTo("[success] Log it on Shell");
            JsonNode objects = a.path("fields").get(4);
            assertThat(objects.path("title").asText()).isEqualTo("Objects");
            Facts.assertNames(objects.path("value").asText(), "namespace", "default");
            pods.add(Facts.valueOf(objects.path("value").asText(), "pod"));
        }
        assertThat(pods).containsExactlyInAnyOrder("web-0", "web-1", "web-2");
        TalonCounters c = talon.server().runtime().counters();
        await().atMost(Duration.ofSeconds(10)).until(() -> c.get("notification_retries", "notifier", "slack") >= 1);
        assertThat(c.get("notifications_lost", "notifier", "slack", "reason", "failed")).isZero();
    }

    @Test
    void failingNotifiersRetryThenCountAndLogTheLoss() throws Exception {
        TalonCounters c = talon.server().runtime().counters();
        for (String n : List.of("webhook", "loki", "elasticsearch")) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> c.get("notifications_lost", "notifier", n, "reason", "failed") == EVENTS);
            assertThat(c.get("notification_retries", "notifier", n)).isEqualTo(2L * EVENTS);
            assertThat(logs.lines()).anyMatch(l -> l.contains("notifier '" + n + "' failed") && l.contains("retry"));
            assertThat(logs.lines()).anyMatch(l -> l.contains("notification to '" + n + "' lost after its retries"));
        }
        // each target was really tried: 1 + 2 retries per notification
        assertThat(failing.requests()).hasSize(3 * EVENTS);
        assertThat(slow.requests()).hasSize(3 * EVENTS);
        assertThat(logs.lines()).anyMatch(l -> l.contains("notifier 'webhook' failed") && l.contains("Timeout"));
        assertThat(logs.lines()).anyMatch(l -> l.contains("notifier 'loki' failed") && l.contains("500"));
        assertThat(logs.lines()).anyMatch(l -> l.contains("notifier 'elasticsearch' failed")
                && l.contains("Connect"));
        List<String> dead = Files.readAllLines(deadLetters);
        assertThat(dead).hasSize(3 * EVENTS);
        assertThat(dead).allSatisfy(l -> assertThat(JSON.readTree(l).path("result").path("rule").asText())
                .isEqualTo("Shell"));
    }

    @Test
    void noSecretIsLogged() {
        TalonCounters c = talon.server().runtime().counters();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> c.get("notifications_lost", "notifier", "webhook", "reason", "failed") == EVENTS);
        assertThat(logs.lines()).noneMatch(l -> l.contains(SLACK_TOKEN) || l.contains(WEBHOOK_TOKEN)
                || l.contains(LOKI_KEY) || l.contains(ES_PASSWORD));
    }
}
