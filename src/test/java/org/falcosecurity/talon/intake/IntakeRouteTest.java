package org.falcosecurity.talon.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.PrometheusText;
import org.falcosecurity.talon.support.TalonTestServer;
import org.falcosecurity.talon.support.TestRules;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** POSTs real HTTP requests to the running application and checks the answers. */
class IntakeRouteTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TalonTestServer talon;

    @BeforeAll
    static void start() throws Exception {
        talon = TalonTestServer.builder()
                .config("print_all_events: true\n")
                .rules(TestRules.LOG_SHELL)
                .start();
    }

    @AfterAll
    static void stop() {
        talon.close();
    }

    @Test
    void acceptsAFalcoEventAndNamesTheMatchedRules() throws Exception {
        HttpResponse<String> r = talon.post(Events.load("terminal-shell.json"));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("status").asText()).isEqualTo("accepted");
        assertThat(body.path("trace_id").asText()).isEqualTo("cc84de57-7617-4359-ad40-1a7a8d854743");
        assertThat(body.path("matched_rules").get(0).asText()).isEqualTo("Shell");
        assertThat(talon.awaitResults(1)).anySatisfy(res -> {
            assertThat(res.getRule()).isEqualTo("Shell");
            assertThat(res.getStatus()).isEqualTo("success");
            assertThat(res.getOutput()).isEqualTo("logged: shell");
        });
    }

    @Test
    void anEventNoRuleMatchesIsAnsweredAtTheIntakeAndNeverQueued() throws Exception {
        double before = processed();
        // both events name the same pod, so a queued one would go to the same worker, ahead of the second
        String pod = "{\"k8s.ns.name\":\"default\",\"k8s.pod.name\":\"unmatched-1\"}";
        HttpResponse<String> r = talon.post(Events.event("Some other Falco rule", "Warning", pod));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).path("status").asText()).isEqualTo("accepted");
        assertThat(JSON.readTree(r.body()).path("matched_rules")).isEmpty();
        String traceId = JSON.readTree(talon.post(Events.event("Terminal shell in container", "Warning", pod)).body())
                .path("trace_id").asText();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> talon.results().stream().anyMatch(res -> traceId.equals(res.getTraceId())));
        // the worker's route ran once, for the matched event only, and stays at that
        await().atMost(Duration.ofSeconds(10)).during(Duration.ofMillis(500))
                .until(() -> processed() == before + 1);
    }

    /** Exchanges the worker's `process` route completed, from Camel's route meters on /metrics. */
    private static double processed() throws Exception {
        return new PrometheusText(talon.send("GET", "/metrics", null, null).body()).samples().stream()
                .filter(s -> s.name().equals("camel_exchanges_total") && "process".equals(s.labels().get("routeId")))
                .mapToDouble(PrometheusText.Sample::value).sum();
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "not json | {oops | bad_event | not valid JSON",
        "empty body | '' | bad_event | the request body is empty",
        "no rule | {\"priority\":\"Warning\",\"output\":\"x\"} | bad_event | the event has no 'rule'",
        "no priority | {\"rule\":\"x\"} | bad_event | the event has no 'priority'",
        "bad priority | {\"rule\":\"x\",\"priority\":\"Urgent\"} | bad_event | unknown priority 'Urgent'",
        "array | [1] | bad_event | expected a Falco event as a JSON object",
        "tags type | {\"rule\":\"x\",\"priority\":\"Debug\",\"tags\":{}} | bad_event | 'tags' must be an array",
    })
    void badEventsGet400NamingTheProblem(String name, String body, String error, String message) throws Exception {
        HttpResponse<String> r = talon.post(body);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode n = JSON.readTree(r.body());
        assertThat(n.path("error").asText()).isEqualTo(error);
        assertThat(n.path("message").asText()).contains(message);
    }

    @Test
    void aFormEncodedBodyIsRefusedWithAHint() throws Exception {
        HttpResponse<String> r = talon.send("POST", "/", Events.load("terminal-shell.json"),
                "application/x-www-form-urlencoded");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).path("message").asText()).contains("Content-Type: application/json");
    }

    @Test
    void senderHeadersNeverReachActionners() throws Exception {
        java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(talon.uri("/"))
                .header("Content-Type", "application/json")
                .header("TalonStatus", "failure")
                .header("TalonError", "forged")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(Events.load("terminal-shell.json")
                        .replace("cc84de57-7617-4359-ad40-1a7a8d854743", "forged-headers")
                        .replace("A shell was spawned", "Another shell was spawned")))
                .build();
        HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        org.awaitility.Awaitility.await().until(() -> talon.results().stream()
                .anyMatch(x -> x.getTraceId().equals("forged-headers")));
        assertThat(talon.results().stream().filter(x -> x.getTraceId().equals("forged-headers")))
                .allSatisfy(x -> {
                    assertThat(x.getStatus()).isEqualTo("success");
                    assertThat(x.getError()).isEmpty();
                });
    }

    @Test
    void requestHeadersAndFormFieldsAreNeverEchoed() throws Exception {
        for (String path : new String[] {"/", "/healthz"}) {
            HttpResponse<String> r = talon.send("POST", path, "{}", "application/x-www-form-urlencoded");
            assertThat(r.statusCode()).as(path).isLessThan(500);
            java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(talon.uri(path))
                    .header("X-Injected", "evil").header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build();
            HttpResponse<String> h = java.net.http.HttpClient.newHttpClient().send(req,
                    HttpResponse.BodyHandlers.ofString());
            assertThat(h.headers().map()).as(path).doesNotContainKey("x-injected");
        }
    }

    @Test
    void healthz() throws Exception {
        HttpResponse<String> r = talon.send("GET", "/healthz", null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"status\":\"ok\"}");
    }

    @Test
    void nonPostIs400WithJson() throws Exception {
        HttpResponse<String> r = talon.send("GET", "/", null, null);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).path("error").asText()).isEqualTo("method_not_allowed");
    }
}
