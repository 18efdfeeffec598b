package org.falcosecurity.talon.hardening;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.ConfigurationFactory;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.HostileValues;
import org.falcosecurity.talon.support.HttpReceiver;
import org.falcosecurity.talon.support.LogEventCapture;
import org.falcosecurity.talon.support.TalonTestServer;
import org.falcosecurity.talon.support.TestRoutes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Item 4 of "secure by default": the hostile-value corpus ({@link HostileValues}) posted to the running application
 * over HTTP, as uuid, Falco rule, output, hostname, pod, namespace and command line. Each event gives two results
 * (custom:log, and test:echo, whose output and error are the command line), which reach every notifier — webhook,
 * file, Slack and Loki (loopback HTTP receivers), SMTP (GreenMail), k8sevents (the fabric8 API simulator) — while
 * every log record written is formatted with the three packaged layouts (text, color, json). The search notifiers
 * run the same corpus against their real nodes ({@code ElasticsearchNotifierTest}, {@code OpenSearchNotifierTest}).
 */
@EnableKubernetesMockClient(crud = true)
class HostileTextSimulatorTest {

    static KubernetesClient client;

    @RegisterExtension
    static final GreenMailExtension GREENMAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort())
            .withPerMethodLifecycle(false);

    private static final ObjectMapper JSON = new ObjectMapper();
    /** What the trace-id rule keeps (the words: 1–64 characters of [A-Za-z0-9._-]). */
    private static final Pattern KEPT_TRACE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    /** The tags the e-mail's HTML itself is made of: nothing else may be markup. */
    private static final Pattern TAG = Pattern.compile("<(/?)([!A-Za-z][A-Za-z0-9]*)");
    private static final List<String> MAIL_TAGS = List.of("!DOCTYPE", "html", "body", "table", "tr", "th", "td",
            "pre");

    private static final String ECHO = """
            - route:
                id: actionner-test-echo
                from:
                  uri: direct:actionner-test-echo
                  steps:
                    - setHeader: {name: TalonStatus, constant: failure}
                    - setHeader: {name: TalonOutput, simple: "${body.outputFields[proc.cmdline]}"}
                    - setHeader: {name: TalonError, simple: "${body.outputFields[proc.cmdline]}"}
            """;

    private static List<String> values;
    private static final List<String> traceIds = new ArrayList<>();
    private static HttpReceiver webhook;
    private static HttpReceiver slack;
    private static HttpReceiver loki;
    private static Path fileDir;
    private static LogEventCapture logs;
    private static TalonTestServer talon;
    private static List<ActionResult> results;

    @BeforeAll
    static void start() throws Exception {
        values = HostileValues.all();
        webhook = HttpReceiver.answering(200);
        slack = HttpReceiver.answering(200).body("ok");
        loki = HttpReceiver.answering(204);
        fileDir = Files.createTempDirectory("hostile-file");
        logs = LogEventCapture.of("falco-talon");
        talon = TalonTestServer.builder().kubernetesClient(client)
                .config("routes_directory: " + TestRoutes.directory(ECHO) + "\n"
                        + "print_all_events: true\n"
                        + "deduplication: {time_window_seconds: 0}\n"
                        + "default_notifiers: [webhook, file, slack, loki, smtp, k8sevents]\n"
                        + "notifiers:\n"
                        + "  webhook: {url: '" + webhook.url() + "/hook'}\n"
                        + "  file: {directory: '" + fileDir + "', filename: results.jsonl}\n"
                        + "  slack: {webhook_url: '" + slack.url() + "/services/T0/B0/x'}\n"
                        + "  loki: {url: '" + loki.url() + "'}\n"
                        + "  smtp: {host_port: '127.0.0.1:" + GREENMAIL.getSmtp().getPort() + "',"
                        + " from: talon@example.org, to: secops@example.org}\n")
                .rules("""
                        - rule: Hostile
                          match: {priority: Critical}
                          actions:
                            - action: Log it
                              actionner: custom:log
                              parameters: {message: hostile}
                            - action: Echo it
                              actionner: test:echo
                              ignore_errors: true
                        """)
                .start();
        for (int i = 0; i < values.size(); i++) {
            var answer = talon.post(HostileValues.event(i, values.get(i)));
            assertThat(answer.statusCode()).as(values.get(i)).isEqualTo(200);
            traceIds.add(JSON.readTree(answer.body()).path("trace_id").asText());
        }
        int n = 2 * values.size();
        results = talon.awaitResults(n);
        webhook.await(n);
        slack.await(n);
        loki.await(n);
        await().atMost(Duration.ofSeconds(30)).until(() -> GREENMAIL.getReceivedMessages().length >= n
                && client.events().v1().events().inAnyNamespace().list().getItems().size() >= n);
    }

    @AfterAll
    static void stop() {
        talon.close();
        logs.close();
        webhook.close();
        slack.close();
        loki.close();
    }

    /** The value an event carried, by the Falco rule of a result ({@code Hostile <n> <value>}). */
    private static String valueOf(String falcoRule) {
        Matcher m = Pattern.compile("(?s)Hostile (\\d+) .*").matcher(falcoRule);
        assertThat(m.matches()).as(falcoRule).isTrue();
        return values.get(Integer.parseInt(m.group(1)));
    }

    @Test
    void aTraceIdFromTheEventIsKeptOnlyWhenItFollowsTheRule() {
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            if (KEPT_TRACE_ID.matcher(v).matches()) {
                assertThat(traceIds.get(i)).isEqualTo(v);
            } else {
                assertThat(traceIds.get(i)).as(v).matches(UUID);
            }
        }
        assertThat(values).filteredOn(v -> KEPT_TRACE_ID.matcher(v).matches()).hasSize(1);
        for (ActionResult r : results) {
            assertThat(r.getTraceId()).matches(KEPT_TRACE_ID);
        }
    }

    @Test
    void everyLogRecordIsOneLineInEveryFormat() throws Exception {
        List<LogEvent> events = logs.events();
        // the events, their results and custom:log's own lines: all carry hostile text
        assertThat(events).hasSizeGreaterThanOrEqualTo(3 * values.size());
        assertThat(events).anyMatch(e -> e.getMessage().getFormattedMessage().contains("\r\n"));
        assertThat(events).anyMatch(e -> String.valueOf((Object) e.getContextData().getValue("pod")).contains("\n"));
        for (String config : List.of("log4j2-text.xml", "log4j2-color.xml", "log4j2-json.xml")) {
            int lines = 0;
            for (String record : format(config, events)) {
                assertThat(record).as(config).endsWith("\n");
                String line = record.substring(0, record.length() - 1);
                // what the layout itself colours with (color) is the only escape sequence left
                String bare = config.contains("color") ? line.replaceAll("\u001b\\[[0-9;]*m", "") : line;
                assertThat(HostileValues.firstControl(bare, "")).as(config + ": " + line).isEqualTo(-1);
                assertThat(line).as(config).doesNotContain("\u001b[31mred").doesNotContain("\u001b]0;");
                if (config.contains("json")) {
                    JsonNode n = JSON.readTree(line);
                    assertThat(n.path("message").asText()).isNotEmpty();
                }
                lines += record.split("\n", -1).length - 1;
            }
            // a CR/LF in the uuid, the rule or a field never adds a line: one record, one line
            assertThat(lines).as(config).isEqualTo(events.size());
        }
    }

    @Test
    void theJsonLogKeepsTheMdcValuesAsEncodedText() throws Exception {
        List<LogEvent> results = logs.events().stream().filter(e -> e.getContextData().getValue("pod") != null)
                .toList();
        assertThat(results).isNotEmpty();
        for (String record : format("log4j2-json.xml", results)) {
            JsonNode n = JSON.readTree(record);
            String pod = n.path("pod").asText();
            // the record's pod field is the event's value, readable (only line-breaking characters encoded)
            String value = valueOf(podRule(n));
            assertThat(pod).isNotEmpty();
            assertThat(decodeLineBreaks(pod)).isEqualTo(value.replace("\ud800", "?"));
        }
    }

    private static String podRule(JsonNode n) {
        for (ActionResult r : HostileTextSimulatorTest.results) {
            if (r.getTraceId().equals(n.path("trace_id").asText())) {
                return r.getFalcoRule();
            }
        }
        throw new AssertionError("no result of trace id " + n.path("trace_id"));
    }

    /** Undoes the {@code \}{@code uXXXX} text the JSON log writes for C1 controls, DEL and U+2028/9. */
    private static String decodeLineBreaks(String s) {
        Matcher m = Pattern.compile("\\\\u(00[89][0-9a-f]|007f|202[89])").matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(String.valueOf((char) Integer.parseInt(m.group(1), 16))));
        }
        return m.appendTail(sb).toString();
    }

    @Test
    void webhookAndFileCarryTheValuesVerbatimAsJson() throws Exception {
        List<JsonNode> records = new ArrayList<>();
        for (HttpReceiver.Request r : webhook.requests()) {
            records.add(JSON.readTree(r.body()));
        }
        List<String> lines = Files.readAllLines(fileDir.resolve("results.jsonl"), StandardCharsets.UTF_8);
        // one line per result: no value broke the JSON-lines file
        assertThat(lines).hasSize(results.size());
        for (String l : lines) {
            records.add(JSON.readTree(l));
        }
        assertThat(records).hasSize(2 * results.size());
        for (JsonNode r : records) {
            // a lone surrogate cannot be encoded in UTF-8: it arrives as '?'
            String v = valueOf(r.path("falco_rule").asText()).replace("\ud800", "?");
            assertThat(r.path("event").asText()).isEqualTo(v);
            assertThat(r.path("hostname").asText()).isEqualTo(v);
            assertThat(r.path("objects").path("pod").asText()).isEqualTo(v);
            if ("failure".equals(r.path("status").asText())) {
                assertThat(r.path("error").asText()).isEqualTo(v);
                assertThat(r.path("output").asText()).isEqualTo(v);
            }
        }
    }

    @Test
    void slackTextIsEscapedAsSlackDocuments() throws Exception {
        boolean sawChannel = false;
        for (HttpReceiver.Request req : slack.requests()) {
            JsonNode a = JSON.readTree(req.body()).path("attachments").get(0);
            List<String> texts = new ArrayList<>();
            texts.add(a.path("fallback").asText());
            a.path("fields").forEach(f -> texts.add(f.path("value").asText()));
            for (String t : texts) {
                // no markup left: no control sequence (<!channel>, <@U..>, <url|text>) can be formed
                assertThat(t).doesNotContain("<").doesNotContain(">");
                assertThat(t.replaceAll("&(amp|lt|gt);", "")).doesNotContain("&");
            }
            for (JsonNode f : a.path("fields")) {
                if (f.path("title").asText().equals("Event") && f.path("value").asText().startsWith("&lt;!channel&gt;")) {
                    sawChannel = true;
                    assertThat(f.path("value").asText()).isEqualTo("&lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt;"
                            + " &lt;@U0123ABCD&gt; &lt;#C0123ABC|general&gt; &lt;!subteam^S0123|oncall&gt;");
                }
                if (f.path("title").asText().equals("Output")) {
                    // the output's code block is closed only by Talon
                    String inner = f.path("value").asText();
                    assertThat(inner).startsWith("```").endsWith("```");
                    assertThat(inner.substring(3, inner.length() - 3)).doesNotContain("```");
                }
            }
        }
        assertThat(sawChannel).as("<!channel> reached Slack (escaped)").isTrue();
    }

    @Test
    void theMailsHtmlIsOnlyTalonsOwnMarkup() throws Exception {
        MimeMessage[] mails = GREENMAIL.getReceivedMessages();
        assertThat(mails).hasSizeGreaterThanOrEqualTo(results.size());
        for (MimeMessage m : mails) {
            MimeMultipart parts = (MimeMultipart) m.getContent();
            String html = (String) parts.getBodyPart(1).getContent();
            Matcher tags = TAG.matcher(html);
            while (tags.find()) {
                assertThat(MAIL_TAGS).as(html).contains(tags.group(2));
            }
            assertThat(html).doesNotContain("javascript:x\"").doesNotContain("onerror=alert(1)>");
            assertThat(m.getHeader("Bcc")).isNull();
            assertThat(m.getSubject()).doesNotContain("forged");
        }
    }

    @Test
    void lokiLabelsHoldNoControlCharacters() throws Exception {
        for (HttpReceiver.Request req : loki.requests()) {
            JsonNode stream = JSON.readTree(req.body()).path("streams").get(0);
            for (Iterator<Map.Entry<String, JsonNode>> it = stream.path("stream").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> label = it.next();
                assertThat(HostileValues.firstControl(label.getValue().asText(), "")).as(label.getKey())
                        .isEqualTo(-1);
                assertThat(label.getValue().asText().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(1024);
            }
            // the line is the whole record, as JSON
            JsonNode line = JSON.readTree(stream.path("values").get(0).get(1).asText());
            assertThat(line.path("event").asText()).isEqualTo(valueOf(line.path("falco_rule").asText())
                    .replace("\ud800", "?"));
        }
    }

    @Test
    void kubernetesEventsHaveOneNoteLinePerFieldAndNoForeignNames() {
        var events = client.events().v1().events().inAnyNamespace().list().getItems();
        assertThat(events).hasSizeGreaterThanOrEqualTo(results.size());
        for (var e : events) {
            // no corpus value is a namespace name: the Event goes to default, about no pod
            assertThat(e.getMetadata().getNamespace()).isEqualTo("default");
            assertThat(e.getRegarding()).isNull();
            assertThat(HostileValues.firstControl(e.getNote(), "\n")).as(e.getNote()).isEqualTo(-1);
            for (String line : e.getNote().split("\n")) {
                assertThat(line).as(e.getNote()).matches("(Status|Rule|Action|Actionner|Objects|Event|Error|Output): .*"
                        + "|.*…");
            }
            assertThat(e.getNote().split("\n").length).isLessThanOrEqualTo(8);
            assertThat(HostileValues.firstControl(e.getReason() + e.getAction(), "")).isEqualTo(-1);
        }
    }

    /** Formats events with the layout of the console appender of a packaged log4j2 configuration. */
    private static List<String> format(String configFile, List<LogEvent> events) throws Exception {
        LoggerContext ctx = new LoggerContext("hostile-" + configFile);
        try {
            ConfigurationSource src = ConfigurationSource.fromResource(configFile,
                    HostileTextSimulatorTest.class.getClassLoader());
            Configuration cfg = ConfigurationFactory.getInstance().getConfiguration(ctx, src);
            cfg.initialize();
            Appender out = cfg.getAppenders().get("out");
            Layout<?> layout = out.getLayout();
            List<String> formatted = new ArrayList<>();
            for (LogEvent e : events) {
                formatted.add(new String(layout.toByteArray(e), StandardCharsets.UTF_8));
            }
            return formatted;
        } finally {
            ctx.stop();
        }
    }
}
