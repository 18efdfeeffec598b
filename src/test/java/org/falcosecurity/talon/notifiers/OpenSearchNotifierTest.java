package org.falcosecurity.talon.notifiers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.OpenSearchNode;
import org.falcosecurity.talon.support.TalonTestServer;
import org.falcosecurity.talon.support.TestRules;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The opensearch notifier through the running application against a real OpenSearch 2.19 node: the result record
 * plus {@code @timestamp} is searchable in {@code falco-talon-<yyyy.MM.dd>}.
 */
class OpenSearchNotifierTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static OpenSearchNode node;
    private static TalonTestServer talon;

    @BeforeAll
    static void start() throws Exception {
        node = OpenSearchNode.start();
        talon = TalonTestServer.builder()
                .config("default_notifiers: [opensearch]\n"
                        + "notifiers:\n"
                        + "  opensearch:\n"
                        + "    url: " + node.url() + "\n"
                        + "    custom_headers: {X-Opaque-Id: talon-test}\n")
                .rules(TestRules.LOG_SHELL)
                // the node creates the index on the first document, which takes seconds on a loaded machine: a
                // request that outlived the 10 s default was retried and the document indexed twice
                .property("talon.notifier.read-timeout-ms", "60000")
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        talon.close();
        node.close();
    }

    @Test
    void theResultIsSearchableInTheDailyIndex() throws Exception {
        Instant posted = Instant.now();
        HttpResponse<String> answer = talon.post(Events.event("Terminal shell in container", "Notice",
                "{\"k8s.ns.name\":\"default\",\"k8s.pod.name\":\"web-1\"}"));
        assertThat(answer.statusCode()).isEqualTo(200);
        String traceId = JSON.readTree(answer.body()).path("trace_id").asText();
        ActionResult r = talon.awaitResults(1).get(0);
        Instant done = Instant.now();
        String index = "falco-talon-" + DateTimeFormatter.ofPattern("yyyy.MM.dd").withZone(ZoneOffset.UTC)
                .format(r.getTime());
        JsonNode hits = await().atMost(Duration.ofSeconds(20)).until(() -> {
            node.refresh();
            return JSON.readTree(node.get("/" + index + "/_search?q=trace_id:" + traceId)).path("hits");
        }, h -> h.path("total").path("value").asInt() == 1);
        ResultDocuments.assertShellResult(hits.path("hits").get(0).path("_source"), traceId, posted, done);
    }
}
