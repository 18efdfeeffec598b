package org.falcosecurity.talon.notifiers;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.falcosecurity.talon.catalog.NotifierSpec;
import org.falcosecurity.talon.catalog.SettingSpec;
import org.falcosecurity.talon.contract.ActionResult;

/**
 * Builds the request of {@code routes/notifier-webhook.camel.yaml} ({@code notifiers.webhook.*}): the result record
 * as JSON, sent with {@code http_method} to {@code url}, with {@code user_agent}, {@code content_type} and the
 * {@code custom_headers}.
 */
public class WebhookNotifier {

    /** The declaration; the URL may carry a token, so it is a secret (never a Camel property). */
    public static final BuiltinNotifier BUILTIN = new BuiltinNotifier(NotifierSpec.builder("webhook")
            .workers(4)
            .description("The result record as JSON, sent to any HTTP endpoint")
            .setting(SettingSpec.text("url", "The endpoint's URL").asRequired().asSecret()
                    .withCheck(NotifierValidator::url))
            .setting(SettingSpec.text("http_method", "POST, PUT or PATCH").withDefault("POST")
                    .withCheck(NotifierValidator.oneOf("POST", "PUT", "PATCH")))
            .setting(SettingSpec.text("user_agent", "The User-Agent header").withDefault("Falco-Talon")
                    .withCheck(NotifierValidator::headerValue))
            .setting(SettingSpec.text("content_type", "The Content-Type header")
                    .withDefault("application/json; charset=utf-8").asRequired()
                    .withCheck(NotifierValidator::headerValue))
            .setting(SettingSpec.headers("custom_headers", "Extra HTTP headers"))
            .example("""
                    webhook:
                      url: https://soar.example.com/falco-talon
                      custom_headers:
                        X-Source: falco-talon
                    """)
            .build(),
            c -> new WebhookNotifier(c.settings()), HttpNotifiers::configureClient);

    private final NotifierSettings settings;

    public WebhookNotifier(NotifierSettings settings) {
        this.settings = settings;
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
