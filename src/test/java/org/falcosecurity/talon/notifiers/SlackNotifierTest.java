package org.falcosecurity.talon.notifiers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.gson.Gson;
import org.falcosecurity.talon.config.TalonConfig;
import org.falcosecurity.talon.contract.ActionResult;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The Slack message as camel-slack serialises it (plain Gson), in both formats. */
class SlackNotifierTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ActionResult result(String status) {
        return new ActionResult(java.time.Instant.parse("2026-11-27T12:00:00Z"), "t-1", status, "Shell", "Label it", "kubernetes:label",
                "m", "", "", "a shell", "Terminal shell in container", "Notice", "syscall", "node-1",
                Map.of("pod", "web-1"));
    }

    private static String json(String settings, ActionResult r) throws Exception {
        TalonConfig c = TalonConfig.parse("notifiers:\n  slack: " + settings + "\n", "t.yaml", Map.of());
        return new Gson().toJson(new SlackNotifier(NotifierSettings.of(c, SlackNotifier.BUILTIN.spec())).message(r));
    }

    @Test
    void shortIsOneColouredLine() throws Exception {
        assertThat(JSON.readTree(json("{webhook_url: 'https://h/x', format: short}", result("dry-run"))))
                .isEqualTo(JSON.readTree("""
                        {"username":"Falco Talon",
                         "icon_url":"https://upload.wikimedia.org/wikipedia/commons/2/26/Circaetus_gallicus_claw.jpg",
                         "attachments":[{"fallback":"[dry-run] Label it on Shell","color":"#a0a0a0",
                                         "text":"[dry-run] Label it on Shell"}]}
                        """));
    }

    @Test
    void longHasTheDefaultFooterAndNoEmptyFields() throws Exception {
        var a = JSON.readTree(json("{webhook_url: 'https://h/x'}", result("ignored"))).path("attachments").get(0);
        assertThat(a.path("color").asText()).isEqualTo("#a0a0a0");
        assertThat(a.path("footer").asText()).isEqualTo("https://github.com/Issif/falco-talon");
        assertThat(a.path("ts").asLong()).isEqualTo(1795780800L);
        assertThat(a.path("fields").findValuesAsText("title"))
                .containsExactly("Status", "Rule", "Action", "Actionner", "Objects", "Event");
    }
}
