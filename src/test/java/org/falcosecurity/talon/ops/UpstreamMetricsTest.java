package org.falcosecurity.talon.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.falcosecurity.talon.rules.Event;
import org.falcosecurity.talon.rules.Priority;
import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.PrometheusText;
import org.falcosecurity.talon.support.TalonTestServer;
import org.falcosecurity.talon.support.TestRoutes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Upstream Falco Talon's counters on {@code /metrics} of the running application, under its names and labels
 * ({@code falcosecurity_falco_talon_*_total}), without the event's output text as a label; and every metric and
 * label that the queries of the Grafana dashboard the chart ships, and of upstream's dashboard, name is exposed.
 */
class UpstreamMetricsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path OUR_DASHBOARD = Path.of("kubernetes/helm/falco-talon/dashboards/"
            + "falco-talon-grafana-dashboard.json");
    private static final Path UPSTREAM_DASHBOARD = Path.of("src/test/resources/upstream/charts/"
            + "falco-talon-grafana-dashboard.json");
    private static TalonTestServer talon;
    private static PrometheusText metrics;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("talon-upstream-metrics");
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.writeString(routes.resolve("test-routes.camel.yaml"), TestRoutes.BROKEN_NOTIFIER
                + TestRoutes.SINK_OUTPUT);
        talon = TalonTestServer.builder()
                .config("routes_directory: " + routes + "\n"
                        + "default_notifiers: [file, broken]\n"
                        + "notifiers:\n  file:\n    directory: " + dir + "\n    filename: results.jsonl\n")
                .property("talon.notifier.max-redeliveries", "0")
                .rules("""
                        - rule: Shell
                          match:
                            rules: [Terminal shell in container]
                          actions:
                            - action: Log it
                              actionner: custom:log
                              parameters: {message: shell}
                            - action: Keep the evidence
                              actionner: custom:log
                              parameters: {message: evidence}
                              output:
                                target: test:sink
                                parameters: {bucket: evidence}
                        - rule: Shell, planned only
                          match:
                            rules: [Terminal shell in container]
                          dry_run: true
                          actions:
                            - action: Label it
                              actionner: kubernetes:label
                              parameters:
                                labels:
                                  suspicious: "true"
                        """)
                .start();
        String shell = Events.load("terminal-shell.json");
        assertThat(talon.post(shell).statusCode()).isEqualTo(200);
        assertThat(talon.post(shell).statusCode()).isEqualTo(200); // deduplicated
        assertThat(talon.post("{not json").statusCode()).isEqualTo(400);
        assertThat(talon.awaitResults(3)).hasSize(3);
        // a rule reload, so the reload counter has a sample
        Files.writeString(talon.ruleFile(0), Files.readString(talon.ruleFile(0)) + "\n# touched\n");
        await().atMost(Duration.ofSeconds(20)).until(() ->
                talon.server().runtime().counters().get("rules_reloads", "result", "success") >= 1);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            metrics = scrape();
            assertThat(metrics.value("falcosecurity_falco_talon_notifications_total", "action", "Log it",
                    "actionner", "custom:log", "notifier", "broken", "rule", "Shell", "status", "failure"))
                    .isEqualTo(1.0);
            assertThat(metrics.value("falcosecurity_falco_talon_notifications_total", "action", "Log it",
                    "actionner", "custom:log", "notifier", "file", "rule", "Shell", "status", "success"))
                    .isEqualTo(1.0);
        });
    }

    @AfterAll
    static void stop() {
        talon.close();
    }

    @Test
    void upstreamsCountersWithUpstreamsLabels() {
        PrometheusText m = metrics;
        // terminal-shell.json: rule "Terminal shell in container", priority Notice, source syscall
        assertThat(m.value("falcosecurity_falco_talon_events_total", "event", "Terminal shell in container",
                "priority", "Notice", "source", "syscall")).isEqualTo(2.0);
        assertThat(m.value("falcosecurity_falco_talon_matches_total", "event", "Terminal shell in container",
                "priority", "Notice", "rule", "Shell", "source", "syscall")).isEqualTo(2.0);
        assertThat(m.value("falcosecurity_falco_talon_matches_total", "event", "Terminal shell in container",
                "priority", "Notice", "rule", "Shell, planned only", "source", "syscall")).isEqualTo(2.0);
        // the event ran once (the second was deduplicated): one result per action
        assertThat(m.value("falcosecurity_falco_talon_actions_total", "action", "Log it", "actionner",
                "custom:log", "namespace", "default", "pod", "cncf-55696bc998-ql5qd", "rule", "Shell", "status",
                "success")).isEqualTo(1.0);
        assertThat(m.value("falcosecurity_falco_talon_actions_total", "action", "Label it", "actionner",
                "kubernetes:label", "namespace", "default", "pod", "cncf-55696bc998-ql5qd", "rule",
                "Shell, planned only", "status", "dry-run")).isEqualTo(1.0);
        // an action with an output has its output series from the start
        assertThat(m.value("falcosecurity_falco_talon_outputs_total", "action", "Keep the evidence", "category",
                "test", "status", "success", "target", "test:sink")).isEqualTo(0.0);
        // no label carries the event's output text
        assertThat(m.samples()).filteredOn(s -> s.name().startsWith("falcosecurity_falco_talon_"))
                .allSatisfy(s -> assertThat(s.labels().values()).noneMatch(v -> v.contains("A shell was spawned")));
    }

    @Test
    void labelsFromEventsAreBounded() {
        SimpleMeterRegistry r = new SimpleMeterRegistry();
        new TalonCounters(r);
        for (int i = 0; i < UpstreamMetrics.MAX_VALUES + 50; i++) {
            UpstreamMetrics.event(r, new Event("", "rule-" + i, Priority.NOTICE, "", "", "", "src-" + i, "", List.of(),
                    Map.of()));
        }
        var counters = r.find("falcosecurity_falco_talon_events").counters();
        assertThat(counters).hasSize(UpstreamMetrics.MAX_VALUES + 1);
        double other = counters.stream().filter(c -> "other".equals(c.getId().getTag("event")))
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
        assertThat(other).isEqualTo(50.0);
    }

    @Test
    void everyMetricAndLabelOfOurDashboardIsExposed() throws Exception {
        JsonNode dashboard = JSON.readTree(OUR_DASHBOARD.toFile());
        Map<String, Set<String>> used = queried(dashboard);
        assertThat(used).containsKeys("falcosecurity_falco_talon_events_total",
                "falcosecurity_falco_talon_matches_total", "falcosecurity_falco_talon_actions_total",
                "falcosecurity_falco_talon_notifications_total", "falcosecurity_falco_talon_outputs_total");
        assertExposed(used);
    }

    @Test
    void everyMetricAndLabelOfUpstreamsDashboardIsExposed() throws Exception {
        Map<String, Set<String>> used = queried(JSON.readTree(UPSTREAM_DASHBOARD.toFile()));
        // upstream's dashboard queries four of the five (not events_total)
        assertThat(used).containsOnlyKeys("falcosecurity_falco_talon_matches_total",
                "falcosecurity_falco_talon_actions_total", "falcosecurity_falco_talon_notifications_total",
                "falcosecurity_falco_talon_outputs_total");
        assertExposed(used);
    }

    private static void assertExposed(Map<String, Set<String>> used) {
        used.forEach((metric, labels) -> {
            List<PrometheusText.Sample> samples = metrics.samples().stream().filter(s -> s.name().equals(metric))
                    .toList();
            assertThat(samples).as(metric).isNotEmpty();
            for (String label : labels) {
                assertThat(samples).as(metric + " label " + label).anySatisfy(s -> assertThat(s.labels())
                        .containsKey(label));
            }
        });
    }

    private static final Pattern METRIC = Pattern.compile("\\b(falcosecurity_falco_talon_\\w+|falco_talon_\\w+)\\b");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_]\\w*)\\s*(=~|!~|!=|=)\\s*\"");
    private static final Pattern BY = Pattern.compile("\\bby\\s*\\(([^)]*)\\)");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([\\w:]+)[^,]*,\\s*(\\w+)\\s*\\)");

    /** Every metric the dashboard's queries name, with the labels they select, group or list by. */
    static Map<String, Set<String>> queried(JsonNode dashboard) {
        List<String> queries = new ArrayList<>();
        dashboard.findValues("expr").forEach(e -> queries.add(e.asText()));
        dashboard.path("templating").path("list").forEach(v -> {
            if (v.path("query").isObject()) {
                queries.add(v.path("query").path("query").asText());
            } else if (v.path("type").asText().equals("query")) {
                queries.add(v.path("query").asText());
            }
        });
        Map<String, Set<String>> used = new LinkedHashMap<>();
        for (String q : queries) {
            Set<String> metricsHere = new LinkedHashSet<>();
            Matcher m = METRIC.matcher(q);
            while (m.find()) {
                metricsHere.add(m.group(1));
            }
            Set<String> labels = new LinkedHashSet<>();
            Matcher s = MATCHER.matcher(q);
            while (s.find()) {
                labels.add(s.group(1));
            }
            Matcher b = BY.matcher(q);
            while (b.find()) {
                for (String l : b.group(1).split(",")) {
                    if (!l.isBlank()) {
                        labels.add(l.trim());
                    }
                }
            }
            Matcher lv = LABEL_VALUES.matcher(q);
            while (lv.find()) {
                labels.add(lv.group(2));
            }
            for (String metric : metricsHere) {
                used.computeIfAbsent(metric, k -> new LinkedHashSet<>()).addAll(labels);
            }
        }
        return used;
    }

    private static PrometheusText scrape() throws Exception {
        HttpResponse<String> r = talon.send("GET", "/metrics", null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        return new PrometheusText(r.body());
    }
}
