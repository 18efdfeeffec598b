package org.falcosecurity.talon.notifiers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.HostileValues;
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
 * plus {@code @timestamp} is searchable in {@code falco-talon-<yyyy.MM.dd>}, shaped by the index template Talon
 * created first (upstream's defaults: 3 shards, 3 replicas); a template that already exists is left as it is.
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
    void theResultIsSearchableInTheDailyIndex() throws Exception {
        Instant posted = Instant.now();
        HttpResponse<String> answer = talon.post(Events.shell("default", "web-1"));
        assertThat(answer.statusCode()).isEqualTo(200);
        String traceId = JSON.readTree(answer.body()).path("trace_id").asText();
        // the hostile-corpus test shares this Talon: its results (rule Hostile) may be there too
        ActionResult r = await().atMost(Duration.ofSeconds(30)).until(() -> talon.results().stream()
                .filter(x -> x.getTraceId().equals(traceId)).findFirst(), java.util.Optional::isPresent).get();
        Instant done = Instant.now();
        String index = "falco-talon-" + DateTimeFormatter.ofPattern("yyyy.MM.dd").withZone(ZoneOffset.UTC)
                .format(r.getTime());
        // the index's shards start after its creation: seconds, or a minute on a loaded machine
        JsonNode hits = await().atMost(Duration.ofSeconds(90)).until(() -> {
            node.refresh();
            return JSON.readTree(node.get("/" + index + "/_search?q=trace_id:" + traceId)).path("hits");
        }, h -> h.path("total").path("value").asInt() == 1);
        ResultDocuments.assertShellResult(hits.path("hits").get(0).path("_source"), traceId, posted, done);

        JsonNode template = JSON.readTree(node.get("/_index_template/falco-talon")).path("index_templates").get(0)
                .path("index_template");
        assertThat(template.path("index_patterns").toString()).isEqualTo("[\"falco-talon*\"]");
        JsonNode props = JSON.readTree(node.get("/" + index + "/_mapping")).path(index).path("mappings")
                .path("properties");
        for (String keyword : new String[] {"status", "rule", "action", "actionner", "trace_id", "priority"}) {
            assertThat(props.path(keyword).path("type").asText()).as(keyword).isEqualTo("keyword");
        }
        assertThat(props.path("objects").path("properties").path("pod").path("type").asText()).isEqualTo("keyword");
        // a flattened object (top-level "pod") is a keyword through the dynamic template
        assertThat(props.path("pod").path("type").asText()).isEqualTo("keyword");
        JsonNode settings = JSON.readTree(node.get("/" + index + "/_settings")).path(index).path("settings")
                .path("index");
        assertThat(settings.path("number_of_shards").asText()).isEqualTo("3");
        assertThat(settings.path("number_of_replicas").asText()).isEqualTo("3");
    }

    @Test
    void anExistingTemplateIsLeftAsItIs() throws Exception {
        String mine = "{\"index_patterns\":[\"kept*\"],\"priority\":300,\"template\":{\"settings\":"
                + "{\"number_of_shards\":1,\"number_of_replicas\":0}},\"_meta\":{\"owner\":\"someone\"}}";
        assertThat(node.put("/_index_template/kept", mine)).startsWith("200");
        try (TalonTestServer other = TalonTestServer.builder()
                .config("default_notifiers: [opensearch]\n"
                        + "notifiers:\n"
                        + "  opensearch:\n"
                        + "    url: " + node.url() + "\n"
                        + "    index: kept\n"
                        + "    suffix: none\n")
                .rules(TestRules.LOG_SHELL)
                .property("talon.notifier.read-timeout-ms", "60000")
                .start()) {
            assertThat(other.post(Events.shell("default", "web-2")).statusCode()).isEqualTo(200);
            ActionResult r = other.awaitResults(1).get(0);
            // the index's shards start after its creation: seconds, or a minute on a loaded machine
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                node.refresh();
                return JSON.readTree(node.get("/kept/_search?q=trace_id:" + r.getTraceId())).path("hits");
            }, h -> h.path("total").path("value").asInt() == 1);
        }
        JsonNode template = JSON.readTree(node.get("/_index_template/kept")).path("index_templates").get(0)
                .path("index_template");
        assertThat(template.path("_meta").path("owner").asText()).isEqualTo("someone");
        assertThat(template.path("template").path("mappings").isMissingNode()).isTrue();
        assertThat(JSON.readTree(node.get("/kept/_settings")).path("kept").path("settings").path("index")
                .path("number_of_shards").asText()).isEqualTo("1");
    }

    @Test
    void theHostileCorpusIsStoredVerbatim() throws Exception {
        HostileValues.assertIndexedVerbatim(talon, node::refresh, node::get, "falco-talon-", "yyyy.MM.dd");
    }
}
