package org.falcosecurity.talon.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.contract.TalonHeaders;
import org.falcosecurity.talon.support.TalonTestServer;
import org.falcosecurity.talon.support.TestRoutes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The event fields upstream Falco Talon reads besides Falco's own, through the running application: a valid
 * {@code trace_id} is the event's trace id (answer, result, actionner header), an invalid one is replaced; the
 * {@code context} reaches the result record and the actionner; an action's {@code additional_contexts} and
 * {@code output} reach its actionner as headers.
 */
class UpstreamEventFieldsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TalonTestServer talon;

    @BeforeAll
    static void start() throws Exception {
        talon = TalonTestServer.builder()
                .route("actionner-test.camel.yaml", """
                        - route:
                            id: actionner-test-capture
                            from:
                              uri: direct:actionner-test-capture
                              steps:
                                - to: mock:actionner
                        """ + TestRoutes.SINK_OUTPUT)
                .rules("""
                        - rule: Capture
                          match:
                            rules: [Upstream fields]
                          actions:
                            - action: Capture it
                              actionner: test:capture
                              additional_contexts: [k8snode]
                              output:
                                target: test:sink
                                parameters: {bucket: evidence}
                        """)
                .start();
    }

    @AfterAll
    static void stop() {
        talon.close();
    }

    private static final java.util.concurrent.atomic.AtomicInteger SEQ = new java.util.concurrent.atomic.AtomicInteger();

    /** A distinct event each time (identical ones within the deduplication window run once). */
    private static String event(String extra) {
        return "{\"rule\":\"Upstream fields\",\"priority\":\"Warning\",\"output\":\"x" + SEQ.incrementAndGet()
                + "\",\"output_fields\":"
                + "{\"k8s.pod.name\":\"web-1\",\"k8s.ns.name\":\"shop\"}" + extra + "}";
    }

    private static ActionResult resultOf(String traceId) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> talon.results().stream()
                .filter(r -> r.getTraceId().equals(traceId)).findFirst().orElse(null), r -> r != null);
    }

    private static Exchange actionnerCall(String traceId) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> talon.mock("actionner").getReceivedExchanges()
                .stream().filter(x -> traceId.equals(x.getMessage().getHeader(TalonHeaders.TRACE_ID)))
                .findFirst().orElse(null), x -> x != null);
    }

    @Test
    void aValidTraceIdIsTheEventsTraceId() throws Exception {
        HttpResponse<String> r = talon.post(event(",\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\""));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).path("trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(resultOf("4bf92f3577b34da6a3ce929d0e0e4736").getRule()).isEqualTo("Capture");
        actionnerCall("4bf92f3577b34da6a3ce929d0e0e4736");
    }

    @Test
    void anInvalidTraceIdIsReplacedAndTheEventStillAccepted() throws Exception {
        for (String bad : List.of("has space", "x".repeat(65), "a\\nb", "", "semi;colon", "ünï")) {
            HttpResponse<String> r = talon.post(event(",\"trace_id\":\"" + bad + "\""));
            assertThat(r.statusCode()).as(bad).isEqualTo(200);
            String id = JSON.readTree(r.body()).path("trace_id").asText();
            assertThat(id).as(bad).matches("[0-9a-f-]{36}");
            assertThat(resultOf(id).getTraceId()).isEqualTo(id);
        }
        // no valid trace_id: the uuid, as before
        HttpResponse<String> r = talon.post(event(",\"trace_id\":\"no good\",\"uuid\":\"u-123\""));
        assertThat(JSON.readTree(r.body()).path("trace_id").asText()).isEqualTo("u-123");
        // 64 characters of the allowed set are kept
        String longest = "A-b_c.9".repeat(9) + "0";
        assertThat(JSON.readTree(talon.post(event(",\"trace_id\":\"" + longest + "\"")).body()).path("trace_id")
                .asText()).isEqualTo(longest);
    }

    @Test
    void theContextReachesTheResultAndTheActionner() throws Exception {
        String body = event(",\"trace_id\":\"ctx-1\",\"context\":{\"aws.region\":\"eu-west-1\",\"attempt\":3,"
                + "\"falco-talon.rule\":\"upstream\"}");
        assertThat(talon.post(body).statusCode()).isEqualTo(200);
        ActionResult r = resultOf("ctx-1");
        Map<String, String> expected = Map.of("aws.region", "eu-west-1", "attempt", "3",
                "falco-talon.rule", "upstream");
        assertThat(r.getContext()).isEqualTo(expected);
        JsonNode json = JSON.readTree(r.getJson());
        assertThat(json.path("context").path("aws.region").asText()).isEqualTo("eu-west-1");
        Exchange call = actionnerCall("ctx-1");
        assertThat(call.getMessage().getHeader(TalonHeaders.CONTEXT)).isEqualTo(expected);
        assertThat(call.getMessage().getHeader(TalonHeaders.ADDITIONAL_CONTEXTS)).isEqualTo(List.of("k8snode"));
        assertThat(call.getMessage().getHeader(TalonHeaders.OUTPUT_TARGET)).isEqualTo("test:sink");
        assertThat(call.getMessage().getHeader(TalonHeaders.OUTPUT_PARAMETERS))
                .isEqualTo(Map.of("bucket", "evidence"));

        // without a context the record carries none
        assertThat(talon.post(event(",\"trace_id\":\"ctx-2\"")).statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(resultOf("ctx-2").getJson()).has("context")).isFalse();
    }

    @Test
    void whatUpstreamRefusesIsA400NamingTheField() throws Exception {
        for (String[] c : new String[][] {{",\"trace_id\":42", "'trace_id' must be a string"},
            {",\"context\":[1,2]", "'context' must be a JSON object, got an array"},
            {",\"context\":\"x\"", "'context' must be a JSON object, got a string"}}) {
            HttpResponse<String> r = talon.post(event(c[0]));
            assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).path("message").asText()).contains(c[1]);
        }
    }
}
