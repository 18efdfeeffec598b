package org.falcosecurity.talon.notifiers;

import org.apache.camel.CamelContext;
import org.apache.camel.Service;
import org.apache.camel.component.es.ElasticsearchComponent;
import org.apache.camel.component.mail.MailComponent;
import org.apache.camel.component.mail.MailConfiguration;
import org.apache.camel.component.opensearch.OpensearchComponent;
import org.apache.camel.component.slack.SlackComponent;
import org.falcosecurity.talon.config.TalonConfig;

import java.io.Closeable;
import java.io.IOException;
import java.util.Properties;

/**
 * Puts the notifiers' connection settings and secrets on the Camel components, from Java: the Slack webhook URL,
 * the SMTP credentials and STARTTLS, the Elasticsearch and OpenSearch clients. Secrets therefore never become Camel
 * properties or endpoint URIs. Only notifiers that are configured with valid settings are wired; the others are
 * reported by {@link NotifierValidator} at startup when they are used.
 */
public final class NotifierComponents {

    private NotifierComponents() {
    }

    public static void configure(CamelContext context, TalonConfig config, int connectMs, int readMs) {
        if (NotifierValidator.usable(config, "slack")) {
            context.getComponent("slack", SlackComponent.class)
                    .setWebhookUrl(NotifierSettings.of(config, "slack").string("webhook_url"));
        }
        if (NotifierValidator.usable(config, "smtp")) {
            smtp(context.getComponent("smtp", MailComponent.class).getConfiguration(),
                    NotifierSettings.of(config, "smtp"), connectMs);
        }
        if (NotifierValidator.usable(config, "elasticsearch")) {
            var client = SearchClients.elasticsearch(config, connectMs, readMs);
            context.getComponent("elasticsearch", ElasticsearchComponent.class).setClient(client);
            closeOnStop(context, client);
        }
        if (NotifierValidator.usable(config, "opensearch")) {
            var client = SearchClients.opensearch(config, connectMs, readMs);
            context.getComponent("opensearch", OpensearchComponent.class).setClient(client);
            closeOnStop(context, client);
        }
    }

    static void smtp(MailConfiguration mail, NotifierSettings s, int timeoutMs) {
        if (s.isSet("user")) {
            mail.setUsername(s.string("user"));
            mail.setPassword(s.string("password"));
        }
        mail.setConnectionTimeout(timeoutMs);
        Properties props = new Properties();
        props.setProperty("mail.smtp.writetimeout", String.valueOf(timeoutMs));
        if (s.bool("tls")) {
            // STARTTLS is required, never optional: a server that does not offer it gets no mail (and no password)
            props.setProperty("mail.smtp.starttls.enable", "true");
            props.setProperty("mail.smtp.starttls.required", "true");
            props.setProperty("mail.smtp.ssl.checkserveridentity", "true");
        }
        mail.setAdditionalJavaMailProperties(props);
    }

    private static void closeOnStop(CamelContext context, Closeable client) {
        try {
            context.addService(new Service() {
                @Override
                public void start() {
                    // the client is started when built
                }

                @Override
                public void stop() {
                    try {
                        client.close();
                    } catch (IOException ignored) {
                        // shutting down
                    }
                }
            }, true, true);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
