package org.falcosecurity.talon.camel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** POSTs real HTTP requests to the running application and checks the answers. */
class IntakeRouteTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TalonTestServer talon;

    @BeforeAll
    static void start() throws Exception {
        talon = TalonTestServer.builder()
                .config("print_all_events: true\n")
                .rules("""
                        - rule: Shell
                          match:
                            rules: [Terminal shell in container]
                          actions:
                            - action: Log it
                              actionner: custom:log
                              parameters:
                                message: shell
                        """)
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
