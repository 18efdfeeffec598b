package org.falcosecurity.talon.notifiers;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.falcosecurity.talon.support.Facts;
import org.falcosecurity.talon.support.LogCapture;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The smtp notifier through the running application against GreenMail, a real SMTP server in the test JVM: an HTML
 * mail (multipart/alternative with a plain-text part) and a text mail arrive with the right subject, sender,
 * recipients and body; with {@code tls: true} against a server that offers no STARTTLS (GreenMail implements none)
 * nothing is sent in clear text and the loss is counted.
 */
class MailNotifierTest {

    private static final String PASSWORD = "smtp-secret-m41l";
    /** Event text with markup: the HTML body must show it, never interpret it. */
    private static final String EVENT = "{\"rule\":\"Terminal shell in container\",\"priority\":\"Notice\","
            + "\"output\":\"12:00:00.000000000: Notice shell <b>opened</b> & closed\",\"time\":\"2026-11-27T12:00:00Z\","
            + "\"output_fields\":{\"k8s.ns.name\":\"default\",\"k8s.pod.name\":\"web-1\"}}";

    @RegisterExtension
    static final GreenMailExtension GREENMAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort())
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("talon", PASSWORD))
            .withPerMethodLifecycle(false);

    private static LogCapture logs;
    private static TalonTestServer html;
    private static TalonTestServer text;
    private static TalonTestServer tls;

    @BeforeAll
    static void start() throws Exception {
        logs = LogCapture.openAtInfo();
        html = talon("Html", "html", false);
        text = talon("Text", "text", false);
        tls = talon("Tls", "html", true);
        for (TalonTestServer t : List.of(html, text, tls)) {
            assertThat(t.post(EVENT).statusCode()).isEqualTo(200);
        }
    }

    private static TalonTestServer talon(String rule, String format, boolean startTls) throws Exception {
        return TalonTestServer.builder()
                .config("default_notifiers: [smtp]\n"
                        + "notifiers:\n"
                        + "  smtp:\n"
                        + "    host_port: 127.0.0.1:" + GREENMAIL.getSmtp().getPort() + "\n"
                        + "    user: talon\n"
                        + "    password: " + PASSWORD + "\n"
                        + "    from: talon@example.org\n"
                        + "    to: secops@example.org, oncall@example.org\n"
                        + "    format: " + format + "\n"
                        + "    tls: " + startTls + "\n")
                .rules("""
                        - rule: %s
                          match:
                            rules: [Terminal shell in container]
                          actions:
                            - action: Log it
                              actionner: custom:log
                              parameters:
                                message: shell
                        """.formatted(rule))
                .property("talon.notifier.max-redeliveries", "1")
                .property("talon.notifier.redelivery-delay-ms", "10")
                .start();
    }

    @AfterAll
    static void stop() {
        html.close();
        text.close();
        tls.close();
        logs.close();
    }

    private static List<MimeMessage> mails(String subject) {
        await().atMost(Duration.ofSeconds(20)).until(() -> withSubject(subject).size() >= 2);
        return withSubject(subject);
    }

    private static List<MimeMessage> withSubject(String subject) {
        return Arrays.stream(GREENMAIL.getReceivedMessages()).filter(m -> {
            try {
                return subject.equals(m.getSubject());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    @Test
    void htmlMailIsMultipartWithATextAlternative() throws Exception {
        List<MimeMessage> mails = mails("[falco-talon][success] Log it on Html");
        // one copy per recipient, each addressed to both
        assertThat(mails).hasSize(2);
        MimeMessage m = mails.get(0);
        assertThat(((InternetAddress) m.getFrom()[0]).getAddress()).isEqualTo("talon@example.org");
        assertThat(Arrays.stream(m.getRecipients(Message.RecipientType.TO))
                .map(a -> ((InternetAddress) a).getAddress()))
                .containsExactly("secops@example.org", "oncall@example.org");
        assertThat(m.getContentType()).startsWith("multipart/alternative");
        // Talon's own headers never become mail headers
        assertThat(m.getHeader("contentType")).isNull();
        assertThat(java.util.Collections.list(m.getAllHeaderLines())).noneMatch(h -> h.startsWith("Talon"));
        MimeMultipart parts = (MimeMultipart) m.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        BodyPart plain = parts.getBodyPart(0);
        BodyPart rich = parts.getBodyPart(1);
        assertThat(plain.getContentType()).startsWith("text/plain");
        Map<String, String> lines = Facts.labelled((String) plain.getContent());
        assertThat(lines.keySet()).containsExactly("Status", "Rule", "Action", "Actionner", "Objects", "Event",
                "Output");
        assertThat(lines).containsEntry("Status", "success").containsEntry("Rule", "Html")
                .containsEntry("Action", "Log it").containsEntry("Actionner", "custom:log")
                .containsEntry("Event", "shell <b>opened</b> & closed").containsEntry("Output", "logged: shell");
        Facts.assertNames(lines.get("Objects"), "pod", "web-1");
        Facts.assertNames(lines.get("Objects"), "namespace", "default");
        assertThat(rich.getContentType()).startsWith("text/html");
        String body = (String) rich.getContent();
        assertThat(body).contains("<th style=\"text-align:left;padding:2px 8px;vertical-align:top\">Status</th>"
                + "<td style=\"padding:2px 8px\">success</td>");
        assertThat(body).contains("shell &lt;b&gt;opened&lt;/b&gt; &amp; closed").doesNotContain("<b>opened");
        assertThat(body).contains("<pre>logged: shell</pre>");
    }

    @Test
    void textMailIsPlainText() throws Exception {
        List<MimeMessage> mails = mails("[falco-talon][success] Log it on Text");
        MimeMessage m = mails.get(0);
        assertThat(m.getContentType()).startsWith("text/plain");
        assertThat(((String) m.getContent()).replace("\r\n", "\n")).startsWith("""
                Status: success
                Rule: Text
                Action: Log it
                Actionner: custom:log
                """).contains("Event: shell <b>opened</b> & closed\n");
    }

    @Test
    void startTlsIsRequiredNeverSkipped() {
        await().atMost(Duration.ofSeconds(20)).until(() -> tls.server().runtime().counters()
                .get("notifications_lost", "notifier", "smtp", "reason", "failed") == 1);
        assertThat(withSubject("[falco-talon][success] Log it on Tls")).isEmpty();
        assertThat(logs.lines()).anyMatch(l -> l.contains("notifier 'smtp' failed") && l.contains("STARTTLS"));
        assertThat(logs.lines()).noneMatch(l -> l.contains(PASSWORD));
    }
}
