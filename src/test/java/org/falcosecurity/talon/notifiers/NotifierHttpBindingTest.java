package org.falcosecurity.talon.notifiers;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.vertx.http.DefaultVertxHttpBinding;
import org.apache.camel.component.vertx.http.VertxHttpBinding;
import org.apache.camel.component.vertx.http.VertxHttpEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request {@link NotifierHttpBinding} prepares from a notifier's URL, beside the one camel-vertx-http's own
 * binding prepares from the same URL (what made Talon replace it): the request is built, not sent.
 */
class NotifierHttpBindingTest {

    private static CamelContext camel;
    private static VertxHttpEndpoint endpoint;

    @BeforeAll
    static void start() throws Exception {
        camel = new DefaultCamelContext();
        camel.start();
        endpoint = camel.getEndpoint("vertx-http:notifier-test", VertxHttpEndpoint.class);
        endpoint.start();
    }

    @AfterAll
    static void stop() {
        camel.stop();
    }

    private static HttpRequest<Buffer> prepare(VertxHttpBinding binding, String url) throws Exception {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setHeader(Exchange.HTTP_URI, url);
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
        exchange.getMessage().setBody("{}");
        return binding.prepareHttpRequest(endpoint, exchange);
    }

    @Test
    void anHttpsUrlWithAPortStaysTlsWithItsRawPath() throws Exception {
        String url = "https://soar.example.com:8443/hooks/a%2Fb/t0k3n?src=falco";
        HttpRequest<Buffer> theirs = prepare(new DefaultVertxHttpBinding(), url);
        assertThat(theirs.ssl()).isNotEqualTo(Boolean.TRUE);
        assertThat(theirs.uri()).isEqualTo("/hooks/a/b/t0k3n");

        HttpRequest<Buffer> ours = prepare(new NotifierHttpBinding(), url);
        assertThat(ours.ssl()).isTrue();
        assertThat(ours.host()).isEqualTo("soar.example.com");
        assertThat(ours.port()).isEqualTo(8443);
        assertThat(ours.uri()).isEqualTo("/hooks/a%2Fb/t0k3n?src=falco");
        assertThat(ours.queryParams().getAll("src")).containsExactly("falco");
    }

    @Test
    void aUrlWithoutAPortHasItsQueryOnce() throws Exception {
        String url = "http://hooks.example.com/in?token=abc";
        HttpRequest<Buffer> theirs = prepare(new DefaultVertxHttpBinding(), url);
        assertThat(theirs.queryParams().getAll("token")).containsExactly("abc", "abc");

        HttpRequest<Buffer> ours = prepare(new NotifierHttpBinding(), url);
        assertThat(ours.ssl()).isFalse();
        assertThat(ours.port()).isEqualTo(80);
        assertThat(ours.uri()).isEqualTo("/in?token=abc");
        assertThat(ours.queryParams().getAll("token")).containsExactly("abc");
    }

    @Test
    void aUrlWithoutAPathGetsTheRoot() throws Exception {
        HttpRequest<Buffer> ours = prepare(new NotifierHttpBinding(), "https://loki.example.com");
        assertThat(ours.ssl()).isTrue();
        assertThat(ours.port()).isEqualTo(443);
        assertThat(ours.uri()).isEqualTo("/");
    }
}
