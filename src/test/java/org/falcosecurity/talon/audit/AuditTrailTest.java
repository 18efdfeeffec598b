package org.falcosecurity.talon.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.ops.TalonCounters;
import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.RecordingNotifier;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The audit trail of a running Talon: one record per decision, in the JSON Lines file and at the audit notifiers,
 * including what notifiers never see as such — a duplicate suppressed by the deduplication window and an action
 * refused by the blast-radius guard.
 */
class AuditTrailTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static List<JsonNode> records(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    private static List<String> kinds(List<JsonNode> records) {
        return records.stream().map(r -> r.get("kind").asText()).toList();
    }

    @Test
    void aDuplicateAndABlastRadiusRefusalEachLeaveTheirRecord() throws Exception {
        Path audit = dir.resolve("audit/audit.jsonl");
        RecordingNotifier received = new RecordingNotifier();
        try (TalonTestServer t = TalonTestServer.builder()
                .config("""
                        audit:
                          file: %s
                          notifiers: [recorder]
                        deduplication:
                          time_window_seconds: 60
                        blast_radius:
                          max_actions: 1
                          actionners: [custom:log]
                        """.formatted(audit))
                .rules("""
                        - rule: Log shells
                          match:
                            rules: [Shell, Other shell]
                          actions:
                            - action: Log it
                              actionner: custom:log
                        """)
                .route(RecordingNotifier.FILE, RecordingNotifier.ROUTE)
                .bean("recorded", received)
                .withoutKubernetesCluster()
                .start()) {
            String pod = "{\"k8s.ns.name\":\"prod\",\"k8s.pod.name\":\"api-1\"}";
            assertThat(t.post(Events.event("Shell", "Warning", pod)).statusCode()).isEqualTo(200);
            t.awaitResults(1);
            // the same event again inside the window: suppressed, no result
            assertThat(t.post(Events.event("Shell", "Warning", pod)).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> kinds(records(audit)).contains("suppressed"));
            // another event: the rule's second guarded action in the window is refused
            assertThat(t.post(Events.event("Other shell", "Warning", pod)).statusCode()).isEqualTo(200);
            t.awaitResults(2);
            await().atMost(Duration.ofSeconds(10)).until(() -> kinds(records(audit)).contains("refused"));

            List<JsonNode> r = records(audit);
            // the intake plans every event; the worker then drops the duplicate (suppressed) and the guard refuses
            assertThat(kinds(r)).containsExactly("received", "matched", "planned", "succeeded",
                    "received", "matched", "planned", "suppressed",
                    "received", "matched", "planned", "refused");
            JsonNode first = r.get(0);
            String trace = first.get("trace_id").asText();
            assertThat(trace).isNotBlank();
            assertThat(first.get("falco_rule").asText()).isEqualTo("Shell");
            assertThat(first.get("objects")).isEqualTo(JSON.readTree("{\"pod\":\"api-1\",\"namespace\":\"prod\"}"));
            assertThat(Instant.parse(first.get("time").asText())).isBefore(Instant.now());
            JsonNode planned = r.get(2);
            assertThat(planned.get("rule").asText()).isEqualTo("Log shells");
            assertThat(planned.get("action").asText()).isEqualTo("Log it");
            assertThat(planned.get("actionner").asText()).isEqualTo("custom:log");
            assertThat(r.get(3).get("trace_id").asText()).isEqualTo(trace);

            JsonNode suppressed = r.get(7);
            assertThat(suppressed.get("trace_id").asText()).isNotEqualTo(trace);
            assertThat(suppressed.get("falco_rule").asText()).isEqualTo("Shell");
            assertThat(suppressed.get("reason").asText()).isEqualTo("an identical event was processed less than"
                    + " 60s ago (deduplication.key: output)");
            JsonNode refused = r.get(11);
            assertThat(refused.get("rule").asText()).isEqualTo("Log shells");
            assertThat(refused.get("actionner").asText()).isEqualTo("custom:log");
            assertThat(refused.get("objects").get("pod").asText()).isEqualTo("api-1");
            assertThat(refused.get("reason").asText()).isEqualTo("blast radius: blast-radius limit: at most 1"
                    + " destructive actions per 600s (all rules)");
            // notifiers saw the refusal as an ignored result, and no duplicate at all
            assertThat(t.results()).extracting(ActionResult::getStatus).containsExactly("success", "ignored");

            // the audit notifier got every record, as result records whose status is the kind
            await().atMost(Duration.ofSeconds(10)).until(() -> received.results.size() >= 12);
            assertThat(received.results).extracting(ActionResult::getStatus).containsExactlyElementsOf(kinds(r));
            assertThat(received.results.get(7).getMessage()).contains("identical event");
            assertThat(t.server().runtime().counters().get("audit_records_dropped")).isZero();
        }
    }

    @Test
    void theFileRotatesBySizeAndKeepsAtMostMaxFiles() throws Exception {
        Path file = dir.resolve("a.jsonl");
        try (AuditFile f = new AuditFile(file, 1024, 2)) {
            String line = "x".repeat(299);
            for (int i = 0; i < 20; i++) {
                f.write(line.substring(0, 290) + String.format("%09d", i));
            }
        }
        assertThat(Files.size(file)).isLessThanOrEqualTo(1024);
        assertThat(Files.size(AuditFile.rotated(file, 1))).isLessThanOrEqualTo(1024);
        assertThat(Files.exists(AuditFile.rotated(file, 2))).isTrue();
        assertThat(Files.exists(AuditFile.rotated(file, 3))).isFalse();
        // lines of 300 bytes, 3 to a file: 18-19 in the file, 15-17 in .1, 12-14 in .2, the older ones deleted
        assertThat(Files.readAllLines(file)).hasSize(2).last().asString().endsWith("000000019");
        assertThat(Files.readAllLines(AuditFile.rotated(file, 1))).hasSize(3).first().asString()
                .endsWith("000000015");
        assertThat(Files.readAllLines(AuditFile.rotated(file, 2))).hasSize(3).last().asString()
                .endsWith("000000014");
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() {
        TalonCounters counters = new TalonCounters();
        // not started: nothing drains the queue of 2
        AuditTrail trail = new AuditTrail(dir.resolve("x.jsonl"), 1 << 20, 1, 2, List.of(), "dup", counters);
        ActionResult r = new ActionResult(Instant.now(), "t", "success", "r", "a", "custom:log", "m", "", "", "e",
                "f", "Warning", "syscall", "h", Map.of());
        for (int i = 0; i < 5; i++) {
            trail.onResult(r, null, 0);
        }
        assertThat(counters.get("audit_records_dropped")).isEqualTo(3);
    }
}
