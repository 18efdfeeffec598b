package org.falcosecurity.talon.notifiers;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the search notifiers' tests expect to find indexed, written out field by field: the result of
 * {@code TestRules.LOG_SHELL} (action {@code Log it}, {@code custom:log} with message {@code shell}) for the event
 * {@code Events.shell("default", "web-1")}.
 */
final class ResultDocuments {

    private ResultDocuments() {
    }

    /**
     * The indexed document is that result: every field of the record, the touched objects also flattened at the top
     * level, and {@code @timestamp} the result's time, which falls between the post and the result.
     */
    static void assertShellResult(JsonNode doc, String traceId, Instant notBefore, Instant notAfter) {
        List<String> fields = new ArrayList<>();
        doc.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactlyInAnyOrder("time", "trace_id", "status", "rule", "action", "actionner",
                "message", "output", "error", "event", "falco_rule", "priority", "source", "hostname", "objects",
                "pod", "namespace", "@timestamp");
        assertThat(doc.path("trace_id").asText()).isEqualTo(traceId);
        assertThat(doc.path("status").asText()).isEqualTo("success");
        assertThat(doc.path("rule").asText()).isEqualTo("Shell");
        assertThat(doc.path("action").asText()).isEqualTo("Log it");
        assertThat(doc.path("actionner").asText()).isEqualTo("custom:log");
        assertThat(doc.path("message").asText()).contains("Log it", "custom:log", "Shell", "success");
        // routes/actionner-custom-log.camel.yaml answers "logged: <message>"
        assertThat(doc.path("output").asText()).isEqualTo("logged: shell");
        assertThat(doc.path("error").asText()).isEmpty();
        // the Falco output without its time and priority
        assertThat(doc.path("event").asText()).isEqualTo("test output");
        assertThat(doc.path("falco_rule").asText()).isEqualTo("Terminal shell in container");
        assertThat(doc.path("priority").asText()).isEqualTo("Notice");
        assertThat(doc.path("source").asText()).isEqualTo("syscall");
        assertThat(doc.path("hostname").asText()).isEqualTo("node-1");
        assertThat(doc.path("objects").properties()).extracting(Map.Entry::getKey, e -> e.getValue().asText())
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("pod", "web-1"),
                        org.assertj.core.groups.Tuple.tuple("namespace", "default"));
        assertThat(doc.path("pod").asText()).isEqualTo("web-1");
        assertThat(doc.path("namespace").asText()).isEqualTo("default");
        Instant time = Instant.parse(doc.path("time").asText());
        assertThat(time).isBetween(notBefore, notAfter);
        assertThat(Instant.parse(doc.path("@timestamp").asText())).isEqualTo(time);
    }
}
