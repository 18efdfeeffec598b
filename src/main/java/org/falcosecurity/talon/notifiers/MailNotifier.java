package org.falcosecurity.talon.notifiers;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.falcosecurity.talon.camel.ActionResult;
import org.falcosecurity.talon.config.TalonConfig;

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

    private final NotifierSettings settings;

    public MailNotifier(TalonConfig config) {
        this.settings = NotifierSettings.of(config, "smtp");
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
