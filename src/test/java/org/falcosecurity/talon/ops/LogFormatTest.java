package org.falcosecurity.talon.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.ConfigurationFactory;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.LogEventCapture;
import org.falcosecurity.talon.support.TalonTestServer;
import org.falcosecurity.talon.support.TestRules;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code log_format}: the layouts of {@code log4j2-json.xml}, {@code log4j2-text.xml} and {@code log4j2-color.xml}
 * applied to the log events the running application really writes, and {@code print_all_events}.
 */
class LogFormatTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RULES = TestRules.LOG_SHELL;

    @Test
    void jsonIsOneObjectPerLineWithStableFieldNames() throws Exception {
        List<LogEvent> results;
        try (LogEventCapture capture = LogEventCapture.of("falco-talon.results");
             TalonTestServer talon = TalonTestServer.builder().rules(RULES).start()) {
            talon.post(Events.load("terminal-shell.json"));
            talon.awaitResults(1);
            results = capture.events();
        }
        assertThat(results).hasSize(1);

        String line = format("log4j2-json.xml", results.get(0));
        assertThat(line).endsWith("\n");
        assertThat(line.strip()).doesNotContain("\n");
        JsonNode n = JSON.readTree(line);
        assertThat(fieldNames(n)).containsExactly("time", "level", "logger", "message", "rule", "action",
                "actionner", "status", "pod", "namespace", "trace_id");
        assertThat(n.path("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(n.path("level").asText()).isEqualTo("INFO");
        assertThat(n.path("message").asText()).startsWith("action success: rule='Shell' action='Log it'");
        assertThat(n.path("rule").asText()).isEqualTo("Shell");
        assertThat(n.path("action").asText()).isEqualTo("Log it");
        assertThat(n.path("actionner").asText()).isEqualTo("custom:log");
        assertThat(n.path("status").asText()).isEqualTo("success");
        assertThat(n.path("pod").asText()).isEqualTo("cncf-55696bc998-ql5qd");
        assertThat(n.path("namespace").asText()).isEqualTo("default");
        assertThat(n.path("trace_id").asText()).isEqualTo("cc84de57-7617-4359-ad40-1a7a8d854743");
    }

    @Test
    void textAndColorCarryTheMessageAndTraceIdOnOneLine() throws Exception {
        List<LogEvent> results;
        try (LogEventCapture capture = LogEventCapture.of("falco-talon.results");
             TalonTestServer talon = TalonTestServer.builder().rules(RULES).start()) {
            talon.post(Events.load("terminal-shell.json"));
            talon.awaitResults(1);
            results = capture.events();
        }
        String text = format("log4j2-text.xml", results.get(0));
        assertThat(text).matches("(?s)\\d{4}-\\d\\d-\\d\\dT\\S+ INFO  results action success: rule='Shell' .*"
                + " trace_id=cc84de57-7617-4359-ad40-1a7a8d854743\n");
        String color = format("log4j2-color.xml", results.get(0));
        assertThat(color).contains("\u001b[").contains("action success: rule='Shell'")
                .endsWith("trace_id=cc84de57-7617-4359-ad40-1a7a8d854743\n");
    }

    @Test
    void printAllEventsLogsUnmatchedEventsOnlyWhenOn() throws Exception {
        String unmatched = Events.event("Some other rule", "Warning",
                "{\"k8s.pod.name\":\"p\",\"k8s.ns.name\":\"n\"}");
        for (boolean printAll : new boolean[] {true, false}) {
            try (LogEventCapture capture = LogEventCapture.of("falco-talon.events");
                 TalonTestServer talon = TalonTestServer.builder().config("print_all_events: " + printAll + "\n")
                         .rules(RULES).start()) {
                assertThat(talon.post(unmatched).statusCode()).isEqualTo(200);
                assertThat(talon.post(Events.load("terminal-shell.json")).statusCode()).isEqualTo(200);
                talon.awaitResults(1);
                List<String> logged = capture.messages();
                // a matched event is always logged, with the rules it matched
                assertThat(logged).anyMatch(m -> m.contains("rule='Terminal shell in container'")
                        && m.contains("matched=[Shell]"));
                if (printAll) {
                    assertThat(logged).anyMatch(m -> m.contains("rule='Some other rule'")
                            && m.contains("no Talon rule matched"));
                } else {
                    assertThat(logged).noneMatch(m -> m.contains("Some other rule"));
                }
            }
        }
    }

    /** Formats an event with the layout of the console appender of a packaged log4j2 configuration. */
    private static String format(String configFile, LogEvent event) throws Exception {
        LoggerContext ctx = new LoggerContext("format-" + configFile);
        try {
            ConfigurationSource src = ConfigurationSource.fromResource(configFile,
                    LogFormatTest.class.getClassLoader());
            Configuration cfg = ConfigurationFactory.getInstance().getConfiguration(ctx, src);
            cfg.initialize();
            Appender out = cfg.getAppenders().get("out");
            Layout<?> layout = out.getLayout();
            return new String(layout.toByteArray(event), StandardCharsets.UTF_8);
        } finally {
            ctx.stop();
        }
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new java.util.ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}
