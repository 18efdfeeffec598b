package org.falcosecurity.talon.notifiers;

import io.vertx.ext.web.client.WebClientOptions;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.vertx.http.VertxHttpComponent;
import org.falcosecurity.talon.catalog.NotifierSpec;
import org.falcosecurity.talon.telemetry.Tracing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * What the HTTP notifiers (loki, webhook) share: the request is described by headers on a clean message, and the
 * target URL travels in {@code CamelHttpUri}, set per message from the config, so it never appears in an endpoint
 * URI (route dumps, JMX, error messages that print endpoints). They send with camel-vertx-http, whose Vert.x client
 * costs about half the CPU per request of camel-http's (BENCHMARKS.md, issue 19).
 */
final class HttpNotifiers {

    private HttpNotifiers() {
    }

    /**
     * Drops every header (the HTTP producer would send them all) and sets the target, method and body, and the
     * notification's W3C {@code traceparent} when tracing is on (the receiver's spans join the event's trace).
     */
    static Message request(Exchange exchange, String url, String method, String body) {
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        String traceparent = exchange.getProperty(Tracing.TRACEPARENT, String.class);
        if (traceparent != null) {
            m.setHeader("traceparent", traceparent);
        }
        m.setHeader(Exchange.HTTP_URI, url);
        m.setHeader(Exchange.HTTP_METHOD, method);
        m.setBody(body);
        return m;
    }

    /**
     * The {@code vertx-http} component's client, shared by the HTTP notifiers: no redirects followed (a redirect
     * would take the notifier's headers, tokens included, to another URL; a 3xx fails and is retried like any
     * error), Talon's connect timeout, no User-Agent of its own, and a connection pool as large as the most
     * {@code workers} a notifier may have; and a request binding that sends to the URL as it is written
     * ({@link NotifierHttpBinding}). The read timeout is the routes' {@code timeout}.
     */
    static void configureClient(CamelContext camel, BuiltinNotifier.Context c) {
        VertxHttpComponent http = camel.getComponent("vertx-http", VertxHttpComponent.class);
        synchronized (http) {
            if (http.getWebClientOptions() == null) {
                http.setWebClientOptions(new WebClientOptions()
                        .setFollowRedirects(false)
                        .setUserAgentEnabled(false)
                        .setConnectTimeout(c.connectTimeoutMs())
                        .setMaxPoolSize(NotifierSpec.MAX_WORKERS));
                http.setVertxHttpBinding(new NotifierHttpBinding());
            }
        }
    }

    static void headers(Message m, Map<String, String> headers) {
        headers.forEach(m::setHeader);
    }

    static String basicAuth(String user, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    /** The URL without trailing slashes, to append an API path to. */
    static String base(String url) {
        String u = url;
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u;
    }
}
