package org.falcosecurity.talon.notifiers;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.falcosecurity.talon.camel.ActionResult;
import org.falcosecurity.talon.config.TalonConfig;

/**
 * Builds the request of {@code routes/notifier-webhook.camel.yaml} ({@code notifiers.webhook.*}): the result record
 * as JSON, sent with {@code http_method} to {@code url}, with {@code user_agent}, {@code content_type} and the
 * {@code custom_headers}.
 */
public class WebhookNotifier {

    private final NotifierSettings settings;

    public WebhookNotifier(TalonConfig config) {
        this.settings = NotifierSettings.of(config, "webhook");
    }

    public void prepare(Exchange exchange) {
        ActionResult r = exchange.getMessage().getBody(ActionResult.class);
        Message m = HttpNotifiers.request(exchange, settings.string("url"), settings.string("http_method"),
                r.getJson());
        HttpNotifiers.headers(m, settings.headers("custom_headers"));
        m.setHeader("User-Agent", settings.string("user_agent"));
        m.setHeader(Exchange.CONTENT_TYPE, settings.string("content_type"));
    }
}
