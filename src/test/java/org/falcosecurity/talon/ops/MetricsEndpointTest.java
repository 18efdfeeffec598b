package org.falcosecurity.talon.ops;

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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /metrics} on the running application: Prometheus text with Talon's counters (events received, matched
 * and rejected, actions by actionner and status, notifications by notifier and status), the event-to-action latency
 * histogram, and Camel's and the JVM's meters.
 */
class MetricsEndpointTest {

    private static TalonTestServer talon;
    private static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("talon-metrics");
        Path routes = Files.createDirectories(dir.resolve("routes"));
        // a notifier that always fails, to count a lost notification
        Files.writeString(routes.resolve("notifier-broken.camel.yaml"), TestRoutes.BROKEN_NOTIFIER);
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
                              parameters:
                                message: shell
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
    }

    @AfterAll
    static void stop() {
        talon.close();
    }

    @Test
    void talonCountersLatencyAndJvmMetricsInPrometheusText() throws Exception {
        assertThat(talon.post(Events.load("terminal-shell.json")).statusCode()).isEqualTo(200);
        assertThat(talon.post("{not json").statusCode()).isEqualTo(400);
        assertThat(talon.awaitResults(2)).hasSize(2);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            PrometheusText m = scrape();
            assertThat(m.value("falco_talon_notifications_total", "notifier", "file", "status", "sent"))
                    .isEqualTo(2.0);
            assertThat(m.value("falco_talon_notifications_total", "notifier", "broken", "status", "failed"))
                    .isEqualTo(2.0);
        });

        PrometheusText m = scrape();
        assertThat(m.value("falco_talon_events_received_total", "priority", "Notice")).isEqualTo(1.0);
        assertThat(m.value("falco_talon_events_matched_total", "rule", "Shell")).isEqualTo(1.0);
        assertThat(m.value("falco_talon_events_matched_total", "rule", "Shell, planned only")).isEqualTo(1.0);
        assertThat(m.value("falco_talon_events_rejected_total", "reason", "bad_event")).isEqualTo(1.0);
        assertThat(m.value("falco_talon_actions_total", "actionner", "custom:log", "status", "success"))
                .isEqualTo(1.0);
        assertThat(m.value("falco_talon_actions_total", "actionner", "kubernetes:label", "status", "dry-run"))
                .isEqualTo(1.0);
        assertThat(m.value("falco_talon_notifications_lost_total", "notifier", "broken", "reason", "failed"))
                .isEqualTo(2.0);
        assertThat(m.value("falco_talon_rules_loaded")).isEqualTo(2.0);

        // the latency histogram: one observation per action, in cumulative buckets up to +Inf
        assertThat(m.value("falco_talon_action_latency_seconds_count", "actionner", "custom:log")).isEqualTo(1.0);
        assertThat(m.value("falco_talon_action_latency_seconds_bucket", "actionner", "custom:log", "le", "+Inf"))
                .isEqualTo(1.0);
        assertThat(m.value("falco_talon_action_latency_seconds_bucket", "actionner", "custom:log", "le", "60.0"))
                .isEqualTo(1.0);
        assertThat(m.value("falco_talon_action_latency_seconds_sum", "actionner", "custom:log"))
                .isGreaterThan(0.0).isLessThan(20.0);

        // the same numbers through TalonCounters, which tests and beans use
        assertThat(talon.server().runtime().counters().get("events_rejected", "reason", "bad_event")).isEqualTo(1);

        // INFO log lines the asynchronous log dropped because its queue was full (none here)
        assertThat(m.has("falco_talon_log_events_dropped_total")).isTrue();

        // Camel's route meters and the JVM binders are there too
        assertThat(m.has("camel_exchanges_total")).isTrue();
        // ... for every route but the intake, whose events falco_talon_events_received_total counts (RouteMeters)
        java.util.Set<String> metered = m.samples().stream().filter(s -> s.name().equals("camel_exchanges_total"))
                .map(s -> s.labels().get("routeId")).collect(java.util.stream.Collectors.toSet());
        assertThat(metered).contains("healthz", "process").doesNotContain("intake");
        assertThat(m.has("jvm_memory_used_bytes")).isTrue();
        assertThat(m.has("process_uptime_seconds")).isTrue();
    }

    @Test
    void contentTypeIsPrometheusText() throws Exception {
        HttpResponse<String> r = talon.send("GET", "/metrics", null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(r.body()).contains("# TYPE falco_talon_rules_loaded gauge");
    }

    private static PrometheusText scrape() throws Exception {
        HttpResponse<String> r = talon.send("GET", "/metrics", null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        return new PrometheusText(r.body());
    }
}
