package org.falcosecurity.talon.notifiers;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.mail.MailComponent;
import org.apache.camel.component.mail.MailConfiguration;
import org.falcosecurity.talon.catalog.NotifierSpec;
import org.falcosecurity.talon.catalog.SettingSpec;
import org.falcosecurity.talon.contract.ActionResult;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Builds the e-mail of {@code routes/notifier-smtp.camel.yaml} ({@code notifiers.smtp.*}): subject
 * {@code [falco-talon][<status>] <action> on <rule>}, a body listing status, rule, action, actionner, objects, event,
 * error and output; {@code html} sends an HTML body with a plain-text alternative (multipart/alternative),
 * {@code text} plain text only. Server, credentials and STARTTLS are set on the mail component (see
 * {@code TalonConfiguration}), never in the endpoint URI.
 */
public class MailNotifier {

    /** The header camel-mail takes the plain-text alternative of an HTML mail from. */
    public static final String ALTERNATIVE_BODY = "CamelMailAlternativeBody";

    private static final java.util.regex.Pattern HOST_PORT =
            java.util.regex.Pattern.compile("^([^:\\s/]+|\\[[0-9a-fA-F:.]+]):(\\d{1,5})$");

    /** The declaration; server, credentials and STARTTLS go on the smtp component, never in the endpoint URI. */
    public static final BuiltinNotifier BUILTIN = new BuiltinNotifier(NotifierSpec.builder("smtp")
            .description("One e-mail per result: subject [falco-talon][<status>] <action> on <rule>")
            .setting(SettingSpec.text("host_port", "host:port of the SMTP server")
                    .asRequired("host:port of the SMTP server").withCheck(MailNotifier::hostPortProblem))
            .setting(SettingSpec.text("user", "SMTP user"))
            .setting(SettingSpec.text("password", "SMTP password").asSecret())
            .setting(SettingSpec.text("from", "The sender's address").asRequired("an e-mail address")
                    .withCheck(v -> addressProblem(v)))
            .setting(SettingSpec.text("to", "Recipients, comma-separated")
                    .asRequired("a comma-separated list of addresses").withCheck(MailNotifier::addressesProblem))
            .setting(SettingSpec.text("format", "`html` (with a plain-text alternative) or `text`").withDefault("html")
                    .withCheck(NotifierValidator.oneOf("html", "text")))
            .setting(SettingSpec.flag("tls", false, "Require STARTTLS (a server without it gets no mail)"))
            .pair("user", "password")
            .example("""
                    smtp:
                      host_port: mail.example.com:587
                      from: falco-talon@example.com
                      to: soc@example.com
                      tls: true
                    """)
            .build(),
            c -> new MailNotifier(c.settings()),
            (camel, c) -> smtp(camel.getComponent("smtp", MailComponent.class).getConfiguration(), c.settings(),
                    c.connectTimeoutMs()));

    private final NotifierSettings settings;

    public MailNotifier(NotifierSettings settings) {
        this.settings = settings;
    }

    static void smtp(MailConfiguration mail, NotifierSettings s, int timeoutMs) {
        if (s.isSet("user")) {
            mail.setUsername(s.string("user"));
            mail.setPassword(s.string("password"));
        }
        mail.setConnectionTimeout(timeoutMs);
        java.util.Properties props = new java.util.Properties();
        props.setProperty("mail.smtp.writetimeout", String.valueOf(timeoutMs));
        if (s.bool("tls")) {
            // STARTTLS is required, never optional: a server that does not offer it gets no mail (and no password)
            props.setProperty("mail.smtp.starttls.enable", "true");
            props.setProperty("mail.smtp.starttls.required", "true");
            props.setProperty("mail.smtp.ssl.checkserveridentity", "true");
        }
        mail.setAdditionalJavaMailProperties(props);
    }

    private static String hostPortProblem(String v) {
        var m = HOST_PORT.matcher(v);
        if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65535) {
            return "must be host:port, got '" + v + "'";
        }
        return null;
    }

    private static String addressesProblem(String v) {
        if (v.replace(",", "").isBlank()) {
            return "required (a comma-separated list of addresses)";
        }
        for (String a : v.split(",")) {
            if (!a.isBlank()) {
                String p = addressProblem(a.trim());
                if (p != null) {
                    return p;
                }
            }
        }
        return null;
    }

    private static String addressProblem(String v) {
        try {
            new InternetAddress(v, true);
            return null;
        } catch (AddressException e) {
            return "not a valid e-mail address: '" + v + "'";
        }
    }

    public void prepare(Exchange exchange) {
        ActionResult r = exchange.getMessage().getBody(ActionResult.class);
        Message m = exchange.getMessage();
        // camel-mail turns every header into a mail header: start clean
        m.removeHeaders("*");
        m.setHeader("Subject", subject(r));
        m.setHeader("From", settings.string("from"));
        m.setHeader("To", Arrays.stream(settings.string("to").split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).collect(Collectors.joining(", ")));
        if ("text".equals(settings.string("format"))) {
            m.setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=UTF-8");
            m.setBody(text(r));
        } else {
            m.setHeader(Exchange.CONTENT_TYPE, "text/html; charset=UTF-8");
            m.setHeader(ALTERNATIVE_BODY, text(r));
            m.setBody(html(r));
        }
    }

    static String subject(ActionResult r) {
        return "[falco-talon][" + r.getStatus() + "] " + r.getAction() + " on " + r.getRule();
    }

    static String text(ActionResult r) {
        StringBuilder sb = new StringBuilder();
        for (ResultFields.Field f : ResultFields.of(r)) {
            sb.append(f.label()).append(": ").append(f.value()).append('\n');
        }
        return sb.toString();
    }

    static String html(ActionResult r) {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html><body>\n<table style=\"border-collapse:collapse\">\n");
        for (ResultFields.Field f : ResultFields.of(r)) {
            String value = escape(f.value());
            if (f.label().equals("Output")) {
                value = "<pre>" + value + "</pre>";
            }
            sb.append("<tr><th style=\"text-align:left;padding:2px 8px;vertical-align:top\">")
                    .append(escape(f.label())).append("</th><td style=\"padding:2px 8px\">")
                    .append(value).append("</td></tr>\n");
        }
        return sb.append("</table>\n</body></html>\n").toString();
    }

    /** Event text is attacker-influenced: it is always escaped, never markup. */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
