package org.falcosecurity.talon.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

/**
 * The hostile-value corpus, {@code src/test/resources/hostile-values.json}: text an attacker who reaches the intake
 * puts in an event (log-line forging with CR/LF, Slack and HTML markup, terminal escapes, C1 controls, Unicode line
 * separators, placeholders, header injection, non-ASCII, a lone surrogate). Every notifier test and every log format
 * test runs the same values, through events built by {@link #event}.
 */
public final class HostileValues {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HostileValues() {
    }

    /** The corpus, in file order. */
    public static List<String> all() {
        try (InputStream in = HostileValues.class.getClassLoader().getResourceAsStream("hostile-values.json")) {
            return Arrays.asList(JSON.readValue(in, String[].class));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A Falco event (priority Critical) carrying {@code value} everywhere a sender controls text: its uuid, Falco
     * rule name (after {@code Hostile <n> }, so each event is distinct), output, hostname, pod, namespace and
     * {@code proc.cmdline}.
     */
    public static String event(int n, String value) {
        ObjectNode e = JSON.createObjectNode();
        e.put("uuid", value);
        e.put("rule", "Hostile " + n + " " + value);
        e.put("priority", "Critical");
        e.put("output", "12:00:00.000000000: Critical " + value);
        e.put("time", "2026-12-01T12:00:00Z");
        e.put("source", "syscall");
        e.put("hostname", value);
        e.putArray("tags").add(value);
        ObjectNode f = e.putObject("output_fields");
        f.put("k8s.pod.name", value);
        f.put("k8s.ns.name", value);
        f.put("proc.cmdline", value);
        return e.toString();
    }

    /** A Talon rule that acts (custom:log) on every corpus event, for {@link #postAll}. */
    public static final String RULE = """
            - rule: Hostile
              match: {priority: Critical}
              actions:
                - action: Log it
                  actionner: custom:log
                  parameters: {message: hostile}
            """;

    /**
     * Posts one event per corpus value to a Talon running {@link #RULE} and returns the results of rule Hostile, one
     * per value.
     */
    public static List<org.falcosecurity.talon.contract.ActionResult> postAll(TalonTestServer talon)
            throws Exception {
        List<String> values = all();
        for (int i = 0; i < values.size(); i++) {
            org.assertj.core.api.Assertions.assertThat(talon.post(event(i, values.get(i))).statusCode())
                    .isEqualTo(200);
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> talon.results()
                .stream().filter(r -> r.getRule().equals("Hostile")).count() >= values.size());
        return talon.results().stream().filter(r -> r.getRule().equals("Hostile")).toList();
    }

    /** A search node's refresh (Elasticsearch's and OpenSearch's test nodes). */
    public interface Refresh {
        void refresh() throws Exception;
    }

    /** A search node's GET of a path, answering the body. */
    public interface Get {
        String get(String path) throws Exception;
    }

    /**
     * Posts the corpus to a Talon running {@link #RULE} with a search notifier, and checks that the index named
     * {@code indexPrefix} + the result's time in {@code datePattern} holds every result as it is.
     */
    public static void assertIndexedVerbatim(TalonTestServer talon, Refresh refresh, Get get, String indexPrefix,
                                             String datePattern) throws Exception {
        List<org.falcosecurity.talon.contract.ActionResult> results = postAll(talon);
        String index = indexPrefix + java.time.format.DateTimeFormatter.ofPattern(datePattern)
                .withZone(java.time.ZoneOffset.UTC).format(results.get(0).getTime());
        JsonNode hits = org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(90)).until(() -> {
            refresh.refresh();
            return JSON.readTree(get.get("/" + index + "/_search?size=100&q=rule:Hostile")).path("hits");
        }, h -> h.path("total").path("value").asInt() == results.size());
        java.util.Map<String, JsonNode> byTrace = new java.util.HashMap<>();
        hits.path("hits").forEach(h -> byTrace.put(h.path("_source").path("trace_id").asText(), h.path("_source")));
        for (org.falcosecurity.talon.contract.ActionResult r : results) {
            ObjectNode expected = (ObjectNode) stored(r);
            expected.put("@timestamp", r.getTimeText());
            org.assertj.core.api.Assertions.assertThat(byTrace.get(r.getTraceId())).as(r.getFalcoRule())
                    .isEqualTo(expected);
        }
    }

    /** A record as a search node stores it: a lone surrogate cannot be UTF-8, it became '?'. */
    public static JsonNode stored(org.falcosecurity.talon.contract.ActionResult r) throws IOException {
        return JSON.readTree(r.getJson().replace("\ud800", "?"));
    }

    /**
     * The first character of {@code s} that breaks a line or drives a terminal — a C0 or C1 control, DEL, U+2028,
     * U+2029 — other than those listed in {@code allowed}; -1 when there is none.
     */
    public static int firstControl(String s, String allowed) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((Character.getType(c) == Character.CONTROL || c == '\u2028' || c == '\u2029')
                    && allowed.indexOf(c) < 0) {
                return i;
            }
        }
        return -1;
    }
}
