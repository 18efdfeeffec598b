package org.falcosecurity.talon.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What README's first command shows: the packaged config and example rules, with no cluster and no external
 * service, react to the sample event with dry-run results in the example file notifier.
 */
class EmbeddedDefaultTest {

    @Test
    void thePackagedDefaultReactsToTheReadmeEvent(@TempDir Path out) throws Exception {
        String packagedConfig;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("config.yaml")) {
            packagedConfig = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (TalonTestServer t = TalonTestServer.builder()
                .config(packagedConfig)
                .env("NOTIFIERS_FILE_DIRECTORY", out.toString())
                .start()) {
            assertThat(t.server().runtime().ruleFiles().isPackaged()).isTrue();
            assertThat(t.server().runtime().kubernetes().configured()).isFalse();

            var r = t.post(Events.load("terminal-shell.json"));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"matched_rules\":[\"Terminal shell in container\"]");

            Path results = out.resolve("results.jsonl");
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(results)
                    && Files.readAllLines(results).size() >= 2);
            ObjectMapper json = new ObjectMapper();
            List<JsonNode> lines = Files.readAllLines(results).stream().map(l -> {
                try {
                    return json.readTree(l);
                } catch (Exception e) {
                    throw new AssertionError(l, e);
                }
            }).toList();
            assertThat(lines).extracting(n -> n.path("action").asText())
                    .containsExactly("Label pod as suspicious", "Terminate pod");
            assertThat(lines).allSatisfy(n -> {
                assertThat(n.path("status").asText()).isEqualTo("dry-run");
                assertThat(n.path("pod").asText()).isEqualTo("cncf-55696bc998-ql5qd");
            });
        }
    }
}
