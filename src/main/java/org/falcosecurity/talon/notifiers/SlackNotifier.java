package org.falcosecurity.talon.notifiers;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.slack.SlackComponent;
import org.apache.camel.component.slack.helper.SlackMessage;
import org.falcosecurity.talon.catalog.NotifierSpec;
import org.falcosecurity.talon.catalog.SettingSpec;
import org.falcosecurity.talon.contract.ActionResult;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the Slack message of {@code routes/notifier-slack.camel.yaml} ({@code notifiers.slack.*}).
 *
 * <p>{@code long}: one attachment coloured by status (green success, red failure, grey otherwise) with the fields
 * rule, action, actionner, status, objects, event, error and output, and the footer. {@code short}: one coloured line
 * {@code [status] action on rule}.
 */
public class SlackNotifier {

    static final String GREEN = "#2eb886";
    static final String RED = "#e01e5a";
    static final String GREY = "#a0a0a0";

    /** The declaration; the webhook URL (it holds a token) is set on the slack component, never in a URI. */
    public static final BuiltinNotifier BUILTIN = new BuiltinNotifier(NotifierSpec.builder("slack")
            .description("A message to a Slack incoming webhook: an attachment coloured by status, with the result's"
                    + " fields")
            .setting(SettingSpec.text("webhook_url", "The incoming webhook's URL").asRequired().asSecret()
                    .withCheck(NotifierValidator::url))
            .setting(SettingSpec.text("icon", "The message's icon URL")
                    .withDefault("https://upload.wikimedia.org/wikipedia/commons/2/26/Circaetus_gallicus_claw.jpg"))
            .setting(SettingSpec.text("username", "The message's user name").withDefault("Falco Talon"))
            .setting(SettingSpec.text("footer", "The attachment's footer (empty: none)")
                    .withDefault("https://github.com/Issif/falco-talon"))
            .setting(SettingSpec.text("format", "`long` (every field) or `short` (one line)").withDefault("long")
                    .withCheck(NotifierValidator.oneOf("long", "short")))
            .example("""
                    slack:
                      webhook_url: https://hooks.slack.com/services/XXXX/YYYY/ZZZZ
                      format: long
                    """)
            .build(),
            c -> new SlackNotifier(c.settings()),
            (camel, c) -> camel.getComponent("slack", SlackComponent.class)
                    .setWebhookUrl(c.settings().string("webhook_url")));

    private final NotifierSettings settings;

    public SlackNotifier(NotifierSettings settings) {
        this.settings = settings;
    }

    public void prepare(Exchange exchange) {
        ActionResult r = exchange.getMessage().getBody(ActionResult.class);
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        m.setBody(message(r));
    }

    SlackPayload message(ActionResult r) {
        SlackPayload msg = new SlackPayload(settings.string("username"), settings.string("icon"));
        SlackMessage.Attachment a = new SlackMessage.Attachment();
        a.setColor(color(r.getStatus()));
        a.setFallback(escape(ResultFields.summary(r)));
        if ("short".equals(settings.string("format"))) {
            a.setText(escape(ResultFields.summary(r)));
        } else {
            List<SlackMessage.Attachment.Field> fields = new ArrayList<>();
            for (ResultFields.Field f : ResultFields.of(r)) {
                boolean isShort = switch (f.label()) {
                    case "Status", "Rule", "Action", "Actionner" -> true;
                    default -> false;
                };
                String value = f.label().equals("Output") ? "```" + escape(f.value()) + "```" : escape(f.value());
                fields.add(new SlackPayload.Field(f.label(), value, isShort));
            }
            a.setFields(fields);
            String footer = settings.string("footer");
            if (!footer.isEmpty()) {
                a.setFooter(footer);
            }
            a.setTs(r.getTime().getEpochSecond());
        }
        msg.setAttachments(List.of(a));
        return msg;
    }

    /**
     * Text for Slack, escaped as Slack documents it ("Escaping text"): {@code &}, {@code <} and {@code >} become
     * entities, so event text cannot ping ({@code <!channel>}, {@code <@U123>}) or link ({@code <https://x|click>}).
     * A triple backquote is broken up, so an output cannot close its code block.
     */
    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                default -> sb.append(c);
            }
        }
        return sb.toString().replace("```", "`\u200b``");
    }

    static String color(String status) {
        return switch (status) {
            case ActionResult.SUCCESS -> GREEN;
            case ActionResult.FAILURE -> RED;
            default -> GREY;
        };
    }

}
