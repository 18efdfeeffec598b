package org.falcosecurity.talon.notifiers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.falcosecurity.talon.support.TalonTestServer;
import org.falcosecurity.talon.support.TestRules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The example {@code file} notifier (routes/notifier-file.camel.yaml) writes each result as one whole UTF-8 JSON
 * line, also when the line is longer than the copy buffer of its file endpoint (4 KiB) and a multi-byte character
 * falls on the buffer's edge.
 */
class FileNotifierTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EVENTS = 3;

    @Test
    void aResultLongerThanTheWriteBufferIsOneWholeLine(@TempDir Path out) throws Exception {
        try (TalonTestServer t = TalonTestServer.builder()
                .config("print_all_events: false\ndefault_notifiers: [file]\ndeduplication:\n"
                        + "  time_window_seconds: 0\n")
                .env("NOTIFIERS_FILE_DIRECTORY", out.toString())
                .rules(TestRules.LOG_SHELL)
                .start()) {
            List<String> outputs = new ArrayList<>();
            for (int i = 0; i < EVENTS; i++) {
                // 3-byte and 2-byte UTF-8 characters, shifted by i, so that some fall across every 4,096-char edge
                String output = "12:00:00.000000000: Notice shell " + i + " " + "x".repeat(i)
                        + "日本é-".repeat(2_000);
                outputs.add(output);
                ObjectNode event = JSON.createObjectNode().put("rule", "Terminal shell in container")
                        .put("priority", "Notice").put("output", output).put("time", "2026-11-27T12:00:00Z")
                        .put("source", "syscall").put("hostname", "node-1");
                event.putObject("output_fields").put("k8s.ns.name", "default").put("k8s.pod.name", "web-" + i);
                assertThat(t.post(JSON.writeValueAsString(event)).statusCode()).isEqualTo(200);
            }
            Path results = out.resolve("results.jsonl");
            // counted in bytes: a line being written may end in the middle of a character for now
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(results)
                    && completeLines(Files.readAllBytes(results)) >= EVENTS);

            List<String> lines = Files.readAllLines(results, StandardCharsets.UTF_8);
            assertThat(lines).hasSize(EVENTS);
            List<Integer> seen = new ArrayList<>();
            for (String line : lines) {
                assertThat(line.length()).isGreaterThan(2 * 4096);
                JsonNode result = JSON.readTree(line);
                assertThat(result.path("status").asText()).isEqualTo("success");
                // the event's output as Talon keeps it (bounded): the start of what was posted, every character
                // intact
                String event = result.path("event").asText();
                Matcher m = Pattern.compile("shell (\\d+) ").matcher(event);
                assertThat(m.find()).as(event).isTrue();
                int i = Integer.parseInt(m.group(1));
                String posted = outputs.get(i).substring(outputs.get(i).indexOf("shell "));
                String kept = event.substring(m.start());
                assertThat(kept.length()).isGreaterThan(4096);
                assertThat(posted).startsWith(kept.endsWith("…") ? kept.substring(0, kept.length() - 1) : kept);
                seen.add(i);
            }
            assertThat(seen).containsExactlyInAnyOrder(0, 1, 2);
        }
    }

    private static long completeLines(byte[] file) {
        long n = 0;
        for (byte b : file) {
            if (b == '\n') {
                n++;
            }
        }
        return n;
    }
}
