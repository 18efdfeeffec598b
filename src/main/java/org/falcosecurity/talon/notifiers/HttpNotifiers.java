package org.falcosecurity.talon.notifiers;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.falcosecurity.talon.telemetry.Tracing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * What the HTTP notifiers (loki, webhook) share: the request is described by headers on a clean message, and the
 * target URL travels in {@code CamelHttpUri}, set per message from the config, so it never appears in an endpoint
 * URI (route dumps, JMX, error messages that print endpoints).
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
