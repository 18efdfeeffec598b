package org.falcosecurity.talon.notifiers;

import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.HttpReceiver;
import org.falcosecurity.talon.support.TalonTestServer;
import org.falcosecurity.talon.support.TestRules;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The HTTP notifiers follow no redirect: a 307 to the webhook (which would repeat the POST, headers and tokens
 * included, to the other URL) and a 303 to Loki (which would turn it into a GET there) fail the notification, and
 * the URL they point to gets nothing. Loopback receivers (the JDK's HTTP server).
 */
class NotifierRedirectTest {

    private static HttpReceiver webhook;
    private static HttpReceiver loki;
    private static HttpReceiver elsewhere;
    private static TalonTestServer talon;

    @BeforeAll
    static void start() throws Exception {
        elsewhere = HttpReceiver.answering(200);
        webhook = HttpReceiver.answering(307).location(elsewhere.url() + "/stolen");
        loki = HttpReceiver.answering(303).location(elsewhere.url() + "/stolen");
        talon = TalonTestServer.builder()
                .config("default_notifiers: [webhook, loki]\n"
                        + "notifiers:\n"
                        + "  webhook: {url: '" + webhook.url() + "/hook', custom_headers: {X-Api-Token: s3cr3t}}\n"
                        + "  loki: {url: '" + loki.url() + "', user: u, api_key: k3y}\n")
                .rules(TestRules.LOG_SHELL)
                .property("talon.notifier.max-redeliveries", "0")
                .start();
    }

    @AfterAll
    static void stop() {
        talon.close();
        webhook.close();
        loki.close();
        elsewhere.close();
    }

    @Test
    void aRedirectFailsTheNotificationAndItsTargetGetsNothing() throws Exception {
        assertThat(talon.post(Events.shell("default", "web-1")).statusCode()).isEqualTo(200);
        var counters = talon.server().runtime().counters();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                counters.get("notifications_lost", "notifier", "webhook", "reason", "failed") == 1
                        && counters.get("notifications_lost", "notifier", "loki", "reason", "failed") == 1);
        assertThat(webhook.requests()).hasSize(1);
        assertThat(loki.requests()).hasSize(1);
        assertThat(elsewhere.requests()).isEmpty();
    }
}
