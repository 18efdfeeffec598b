package org.falcosecurity.talon.notifiers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.Facts;
import org.falcosecurity.talon.support.HttpReceiver;
import org.falcosecurity.talon.support.LogCapture;
import org.falcosecurity.talon.support.TalonTestServer;
import org.falcosecurity.talon.support.TestRoutes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook, Loki and Slack notifiers through the running application: one event is posted, its two results (a
 * success and a failure) arrive at loopback HTTP receivers, checked for method, path, headers and exact JSON body.
 */
class HttpNotifiersTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SLACK_TOKEN = "slack-secret-token-x9";
    private static final String LOKI_KEY = "loki-secret-key-x9";
    private static final String HEADER_SECRET = "webhook-header-secret-x9";

    private static HttpReceiver webhook;
    private static HttpReceiver loki;
    private static HttpReceiver slack;
    private static LogCapture logs;
    private static TalonTestServer talon;
    private static List<ActionResult> results;

    @BeforeAll
    static void start() throws Exception {
        webhook = HttpReceiver.answering(200);
        loki = HttpReceiver.answering(204);
        slack = HttpReceiver.answering(200).body("ok");
        logs = LogCapture.openAtInfo();
        talon = TalonTestServer.builder()
                .config("routes_directory: " + TestRoutes.directory(TestRoutes.FAILING_ACTIONNER) + "\n"
                        + "notifiers:\n"
                        + "  webhook:\n"
                        + "    url: " + webhook.url() + "/hooks/talon?src=falco\n"
                        + "    custom_headers:\n"
                        + "      X-Team: secops\n"
                        + "      X-Api-Token: " + HEADER_SECRET + "\n"
                        + "  loki:\n"
                        + "    url: " + loki.url() + "/\n"
                        + "    user: loki-user\n"
                        + "    api_key: " + LOKI_KEY + "\n"
                        + "    tenant: tenant-a\n"
                        + "    custom_headers: {X-Source: talon}\n"
                        + "  slack:\n"
                        + "    webhook_url: " + slack.url() + "/services/T000/B000/" + SLACK_TOKEN + "\n"
                        + "    username: Talon Test\n"
                        + "    icon: https://example.org/icon.png\n"
                        + "    footer: talon-footer\n")
                .rules("""
                        - rule: Shell
                          match:
                            rules: [Terminal shell in container]
                          actions:
                            - action: Log it
                              actionner: custom:log
                              parameters:
                                message: shell
                            - action: Break it
                              actionner: test:fail
                          notifiers: [webhook, loki, slack]
                        """)
                .start();
        assertThat(talon.post(Events.shell("default", "web-1")).statusCode()).isEqualTo(200);
        results = talon.awaitResults(2);
        webhook.await(2);
        loki.await(2);
        slack.await(2);
    }

    @AfterAll
    static void stop() {
        talon.close();
        logs.close();
        webhook.close();
        loki.close();
        slack.close();
    }

    /** The request whose body contains {@code text}: with several workers a notifier's requests arrive in any order. */
    private static HttpReceiver.Request requestWith(HttpReceiver receiver, String text) {
        List<HttpReceiver.Request> found = receiver.requests().stream().filter(r -> r.body().contains(text)).toList();
        assertThat(found).as("requests to %s containing %s", receiver.url(), text).hasSize(1);
        return found.get(0);
    }

    @Test
    void webhookPostsTheFullRecordWithItsHeaders() throws Exception {
        HttpReceiver.Request req = requestWith(webhook, "\"action\":\"Log it\"");
        assertThat(req.method()).isEqualTo("POST");
        assertThat(req.path()).isEqualTo("/hooks/talon");
        assertThat(req.query()).isEqualTo("src=falco");
        assertThat(req.header("User-Agent")).isEqualTo("Falco-Talon");
        assertThat(req.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
        assertThat(req.header("X-Team")).isEqualTo("secops");
        assertThat(req.header("X-Api-Token")).isEqualTo(HEADER_SECRET);
        // nothing of Talon's internal headers leaks to the target
        assertThat(req.headers().keySet()).noneMatch(h -> h.startsWith("talon") || h.startsWith("camel"));
        ActionResult r = results.get(0);
        assertThat(JSON.readTree(req.body())).isEqualTo(JSON.readTree("""
                {"time":"%s","trace_id":"%s","status":"success","rule":"Shell","action":"Log it",
                 "actionner":"custom:log","message":"action 'Log it' (custom:log) of rule 'Shell': success",
                 "output":"logged: shell","error":"","event":"test output",
                 "falco_rule":"Terminal shell in container","priority":"Notice","source":"syscall",
                 "hostname":"node-1","objects":{"pod":"web-1","namespace":"default"},
                 "pod":"web-1","namespace":"default"}
                """.formatted(r.getTimeText(), r.getTraceId())));
        JsonNode failure = JSON.readTree(requestWith(webhook, "\"action\":\"Break it\"").body());
        assertThat(failure.path("status").asText()).isEqualTo("failure");
        assertThat(failure.path("error").asText()).isEqualTo("boom");
    }

    @Test
    void lokiPushesOneLabelledStreamWithAuthAndTenant() throws Exception {
        HttpReceiver.Request req = requestWith(loki, "\"action\":\"Break it\"");
        assertThat(req.method()).isEqualTo("POST");
        assertThat(req.path()).isEqualTo("/loki/api/v1/push");
        assertThat(req.header("Authorization")).isEqualTo("Basic " + Base64.getEncoder()
                .encodeToString(("loki-user:" + LOKI_KEY).getBytes(StandardCharsets.UTF_8)));
        assertThat(req.header("X-Scope-OrgID")).isEqualTo("tenant-a");
        assertThat(req.header("X-Source")).isEqualTo("talon");
        assertThat(req.header("Content-Type")).startsWith("application/json");
        ActionResult r = results.get(1);
        Instant t = r.getTime();
        String nanos = t.getEpochSecond() + String.format("%09d", t.getNano());
        JsonNode expected = JSON.createObjectNode();
        ((com.fasterxml.jackson.databind.node.ObjectNode) expected).set("streams", JSON.readTree("""
                [{"stream":{"status":"failure","rule":"Shell","action":"Break it","actionner":"test:fail",
                            "namespace":"default","pod":"web-1"},
                  "values":[["%s", "LINE"]]}]
                """.formatted(nanos)));
        JsonNode body = JSON.readTree(req.body());
        // the line is the failure's record as JSON
        String line = body.path("streams").get(0).path("values").get(0).get(1).asText();
        assertThat(JSON.readTree(line)).isEqualTo(JSON.readTree("""
                {"time":"%s","trace_id":"%s","status":"failure","rule":"Shell","action":"Break it",
                 "actionner":"test:fail","message":"action 'Break it' (test:fail) of rule 'Shell': failure: boom",
                 "output":"","error":"boom","event":"test output",
                 "falco_rule":"Terminal shell in container","priority":"Notice","source":"syscall",
                 "hostname":"node-1","objects":{"pod":"web-1","namespace":"default"},
                 "pod":"web-1","namespace":"default"}
                """.formatted(r.getTimeText(), r.getTraceId())));
        ((com.fasterxml.jackson.databind.node.ArrayNode) expected.path("streams").get(0).path("values").get(0))
                .set(1, JSON.getNodeFactory().textNode(line));
        assertThat(body).isEqualTo(expected);
    }

    @Test
    void slackPostsAColouredAttachmentToTheWebhook() throws Exception {
        HttpReceiver.Request req = slack.requests().get(0);
        assertThat(req.method()).isEqualTo("POST");
        assertThat(req.path()).isEqualTo("/services/T000/B000/" + SLACK_TOKEN);
        assertThat(req.header("Content-Type")).startsWith("application/json");
        ActionResult ok = results.get(0);
        JsonNode sent = JSON.readTree(req.body());
        // the Objects field names the pod and its namespace; the rest is Slack's layout, compared whole
        JsonNode objects = ((com.fasterxml.jackson.databind.node.ArrayNode) sent.at("/attachments/0/fields")).remove(4);
        assertThat(objects.path("title").asText()).isEqualTo("Objects");
        assertThat(objects.path("short").asBoolean(true)).isFalse();
        Facts.assertNames(objects.path("value").asText(), "pod", "web-1");
        Facts.assertNames(objects.path("value").asText(), "namespace", "default");
        assertThat(sent).isEqualTo(JSON.readTree("""
                {"username":"Talon Test","icon_url":"https://example.org/icon.png",
                 "attachments":[{"fallback":"[success] Log it on Shell","color":"#2eb886",
                   "footer":"talon-footer","ts":%d,
                   "fields":[{"title":"Status","value":"success","short":true},
                             {"title":"Rule","value":"Shell","short":true},
                             {"title":"Action","value":"Log it","short":true},
                             {"title":"Actionner","value":"custom:log","short":true},
                             {"title":"Event","value":"test output","short":false},
                             {"title":"Output","value":"```logged: shell```","short":false}]}]}
                """.formatted(ok.getTime().getEpochSecond())));
        JsonNode failure = JSON.readTree(slack.requests().get(1).body()).path("attachments").get(0);
        assertThat(failure.path("color").asText()).isEqualTo("#e01e5a");
        assertThat(failure.path("fields").findValuesAsText("title")).contains("Error");
    }

    @Test
    void noSecretIsLogged() {
        assertThat(logs.lines()).isNotEmpty();
        assertThat(logs.lines()).noneMatch(l -> l.contains(SLACK_TOKEN) || l.contains(LOKI_KEY)
                || l.contains(HEADER_SECRET));
    }
}
