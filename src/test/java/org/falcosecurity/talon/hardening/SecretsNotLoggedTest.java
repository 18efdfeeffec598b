package org.falcosecurity.talon.hardening;

import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.LogCapture;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Secrets given in the config, the environment or rule parameters never reach a log line. */
class SecretsNotLoggedTest {

    private static final String TOKEN = "tok-9f2c-NEVER-LOG";
    private static final String API_KEY = "key-77ab-NEVER-LOG";
    private static final String PARAM = "param-55cd-NEVER-LOG";

    @Test
    void noSecretInAnyLogLine() throws Exception {
        try (LogCapture logs = LogCapture.open();
             TalonTestServer t = TalonTestServer.builder()
                     .config("notifiers:\n  capture:\n    api_key: " + API_KEY + "\n    url: http://user:" + API_KEY
                             + "@example.com/x\ndefault_notifiers: [capture]\n")
                     .env("AUTH_TOKEN", TOKEN)
                     .route("capture.camel.yaml", """
                             - route:
                                 id: notifier-capture
                                 from:
                                   uri: direct:notifier-capture
                                   steps:
                                     - throwException:
                                         exceptionType: java.io.IOException
                                         message: "refused https://user:%s@example.com/services/%s"
                             """.formatted(API_KEY, API_KEY))
                     .rules("""
                             - rule: dry
                               dry_run: true
                               actions:
                                 - action: call
                                   actionner: custom:log
                                   parameters:
                                     api_token: %s
                                     password: %s
                             """.formatted(PARAM, PARAM))
                     .property("talon.notifier.max-redeliveries", "1")
                     .property("talon.notifier.redelivery-delay-ms", "10")
                     .start()) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> ok = http.send(HttpRequest.newBuilder(t.uri("/"))
                    .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Events.load("terminal-shell.json"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
            HttpResponse<String> bad = http.send(HttpRequest.newBuilder(t.uri("/"))
                    .header("Authorization", "Bearer " + TOKEN + "x").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Events.load("terminal-shell.json"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(bad.statusCode()).isEqualTo(401);
            assertThat(bad.body()).doesNotContain(TOKEN);
            org.awaitility.Awaitility.await().until(() ->
                    t.server().runtime().counters().get("notifications_lost", "notifier", "capture", "reason", "failed") == 1);
            assertThat(t.results()).hasSize(1);
            assertThat(t.results().get(0).getMessage()).doesNotContain(PARAM);
            assertThat(logs.lines()).isNotEmpty();
            assertThat(logs.all()).doesNotContain(TOKEN).doesNotContain(API_KEY).doesNotContain(PARAM);
        }
    }

    @Test
    void noSecretInLogsOfARunThatFailsAtStartup() throws Exception {
        try (LogCapture logs = LogCapture.open()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> TalonTestServer.builder()
                    .env("AUTH_TOKEN", TOKEN)
                    .config("default_notifiers: [nope]\nnotifiers:\n  nope:\n    password: " + API_KEY + "\n")
                    .rules("- rule: r\n  actions: [{action: a, actionner: custom:log}]\n").start())
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TOKEN, API_KEY));
            assertThat(logs.all()).doesNotContain(TOKEN).doesNotContain(API_KEY);
        }
    }
}
