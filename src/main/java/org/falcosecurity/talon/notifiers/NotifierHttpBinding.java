package org.falcosecurity.talon.notifiers;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import org.apache.camel.Exchange;
import org.apache.camel.component.vertx.http.DefaultVertxHttpBinding;
import org.apache.camel.component.vertx.http.VertxHttpEndpoint;

import java.net.URI;

/**
 * camel-vertx-http's request binding, sending to the URL of {@code CamelHttpUri} exactly as it is written. The
 * default binding, given a URL with an explicit port, sends plain HTTP whatever the scheme (a token in the URL would
 * travel in clear text to a TLS port) and the decoded path; given one without a port, it sends the query twice.
 * Here the request keeps the URL's scheme, raw path and raw query.
 */
final class NotifierHttpBinding extends DefaultVertxHttpBinding {

    @Override
    public HttpRequest<Buffer> prepareHttpRequest(VertxHttpEndpoint endpoint, Exchange exchange) throws Exception {
        String url = exchange.getMessage().getHeader(Exchange.HTTP_URI, String.class);
        HttpRequest<Buffer> request = super.prepareHttpRequest(endpoint, exchange);
        if (url != null) {
            // the notifiers' URLs were checked at startup: http(s) with a host
            URI target = URI.create(url);
            String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
            // uri(...) also drops the query parameters the default binding added
            request.ssl("https".equalsIgnoreCase(target.getScheme()))
                    .uri(target.getRawQuery() == null ? path : path + "?" + target.getRawQuery());
        }
        return request;
    }
}
