package org.falcosecurity.talon.notifiers;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.slack.helper.SlackMessage;
import org.falcosecurity.talon.camel.ActionResult;
import org.falcosecurity.talon.config.TalonConfig;

import java.time.Instant;
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

    private final NotifierSettings settings;

    public SlackNotifier(TalonConfig config) {
        this.settings = NotifierSettings.of(config, "slack");
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
        a.setFallback(ResultFields.summary(r));
        if ("short".equals(settings.string("format"))) {
            a.setText(ResultFields.summary(r));
        } else {
            List<SlackMessage.Attachment.Field> fields = new ArrayList<>();
            for (ResultFields.Field f : ResultFields.of(r)) {
                boolean isShort = switch (f.label()) {
                    case "Status", "Rule", "Action", "Actionner" -> true;
                    default -> false;
                };
                String value = f.label().equals("Output") ? "```" + f.value() + "```" : f.value();
                fields.add(new SlackPayload.Field(f.label(), value, isShort));
            }
            a.setFields(fields);
            String footer = settings.string("footer");
            if (!footer.isEmpty()) {
                a.setFooter(footer);
            }
            a.setTs(epochSeconds(r.getTime()));
        }
        msg.setAttachments(List.of(a));
        return msg;
    }

    static String color(String status) {
        return switch (status) {
            case ActionResult.SUCCESS -> GREEN;
            case ActionResult.FAILURE -> RED;
            default -> GREY;
        };
    }

    private static Long epochSeconds(String time) {
        try {
            return Instant.parse(time).getEpochSecond();
        } catch (RuntimeException e) {
            return Instant.now().getEpochSecond();
        }
    }
}
