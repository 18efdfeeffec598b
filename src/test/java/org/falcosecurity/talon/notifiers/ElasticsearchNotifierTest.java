package org.falcosecurity.talon.notifiers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.ElasticsearchNode;
import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.HostileValues;
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
 * The elasticsearch notifier (camel-elasticsearch, the official Java client) through the running application against
 * a real Elasticsearch 9.5 node in a second JVM: the result record plus {@code @timestamp} is searchable in
 * {@code talon-results-<yyyy.MM>} (index and suffix from the settings), and the index got the composable index
 * template Talon created first ({@code create_index_template}): keyword fields to filter on, the shards and replicas
 * of the settings.
 */
class ElasticsearchNotifierTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static ElasticsearchNode node;
    private static TalonTestServer talon;

    @BeforeAll
    static void start() throws Exception {
        node = ElasticsearchNode.start();
        talon = TalonTestServer.builder()
                .config("default_notifiers: [elasticsearch]\n"
                        + "notifiers:\n"
                        + "  elasticsearch:\n"
                        + "    url: " + node.url() + "\n"
                        + "    index: talon-results\n"
                        + "    suffix: monthly\n"
                        + "    custom_headers: {X-Opaque-Id: talon-test}\n"
                        + "    number_of_shards: 2\n"
                        + "    number_of_replicas: 0\n")
                .rules(HostileValues.RULE + TestRules.LOG_SHELL)
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
    void theResultIsSearchableInTheMonthlyIndex() throws Exception {
        Instant posted = Instant.now();
        HttpResponse<String> answer = talon.post(Events.shell("default", "web-1"));
        assertThat(answer.statusCode()).isEqualTo(200);
        String traceId = JSON.readTree(answer.body()).path("trace_id").asText();
        // the hostile-corpus test shares this Talon: its results (rule Hostile) may be there too
        ActionResult r = await().atMost(Duration.ofSeconds(30)).until(() -> talon.results().stream()
                .filter(x -> x.getTraceId().equals(traceId)).findFirst(), java.util.Optional::isPresent).get();
        Instant done = Instant.now();
        String index = "talon-results-" + DateTimeFormatter.ofPattern("yyyy.MM").withZone(ZoneOffset.UTC)
                .format(r.getTime());
        // the index's shards start after its creation: seconds, or a minute on a loaded machine
        JsonNode hits = await().atMost(Duration.ofSeconds(90)).until(() -> {
            node.refresh();
            return JSON.readTree(node.get("/" + index + "/_search?q=trace_id:" + traceId)).path("hits");
        }, h -> h.path("total").path("value").asInt() == 1);
        ResultDocuments.assertShellResult(hits.path("hits").get(0).path("_source"), traceId, posted, done);

        // the template, created before the first document, shaped the index
        JsonNode template = JSON.readTree(node.get("/_index_template/talon-results")).path("index_templates").get(0)
                .path("index_template");
        assertThat(template.path("index_patterns").toString()).isEqualTo("[\"talon-results*\"]");
        JsonNode props = JSON.readTree(node.get("/" + index + "/_mapping")).path(index).path("mappings")
                .path("properties");
        for (String keyword : new String[] {"status", "rule", "action", "actionner", "trace_id", "falco_rule"}) {
            assertThat(props.path(keyword).path("type").asText()).as(keyword).isEqualTo("keyword");
        }
        assertThat(props.path("objects").path("properties").path("pod").path("type").asText()).isEqualTo("keyword");
        assertThat(props.path("objects").path("properties").path("namespace").path("type").asText())
                .isEqualTo("keyword");
        assertThat(props.path("event").path("type").asText()).isEqualTo("text");
        assertThat(props.path("@timestamp").path("type").asText()).isEqualTo("date_nanos");
        JsonNode settings = JSON.readTree(node.get("/" + index + "/_settings")).path(index).path("settings")
                .path("index");
        assertThat(settings.path("number_of_shards").asText()).isEqualTo("2");
        assertThat(settings.path("number_of_replicas").asText()).isEqualTo("0");
        // a term query on a keyword field finds the result (no analysed text in the way)
        JsonNode byTerm = JSON.readTree(node.get("/" + index
                + "/_search?q=actionner:%22custom:log%22%20AND%20rule:Shell")).path("hits");
        assertThat(byTerm.path("total").path("value").asInt()).isEqualTo(1);
    }

    @Test
    void theHostileCorpusIsStoredVerbatim() throws Exception {
        HostileValues.assertIndexedVerbatim(talon, node::refresh, node::get, "talon-results-", "yyyy.MM");
    }
}
