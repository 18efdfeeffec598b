package org.falcosecurity.talon.notifiers;

import org.apache.camel.CamelContext;
import org.apache.camel.Service;

import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the REST clients of the {@code elasticsearch} and {@code opensearch} notifiers from their settings, so that
 * basic auth and the custom headers go with every request (the components' own clients only answer an auth challenge
 * and know no custom headers), with Talon's timeouts, and with the password kept out of any endpoint URI.
 */
public final class SearchClients {

    private SearchClients() {
    }

    /** Elasticsearch's low-level REST client (Apache HttpAsyncClient 4), for camel-elasticsearch. */
    public static org.elasticsearch.client.RestClient elasticsearch(NotifierSettings s, int connectMs, int readMs) {
        URI u = URI.create(HttpNotifiers.base(s.string("url")));
        var builder = org.elasticsearch.client.RestClient.builder(
                new org.apache.http.HttpHost(u.getHost(), port(u), u.getScheme()));
        prefix(u, builder::setPathPrefix);
        builder.setDefaultHeaders(headers(s).entrySet().stream()
                .map(e -> new org.apache.http.message.BasicHeader(e.getKey(), e.getValue()))
                .toArray(org.apache.http.Header[]::new));
        builder.setRequestConfigCallback(rc -> rc.setConnectTimeout(connectMs).setSocketTimeout(readMs));
        return builder.build();
    }

    /** OpenSearch's REST client (Apache HttpClient 5), for camel-opensearch. */
    public static org.opensearch.client.RestClient opensearch(NotifierSettings s, int connectMs, int readMs) {
        URI u = URI.create(HttpNotifiers.base(s.string("url")));
        var builder = org.opensearch.client.RestClient.builder(
                new org.apache.hc.core5.http.HttpHost(u.getScheme(), u.getHost(), port(u)));
        prefix(u, builder::setPathPrefix);
        builder.setDefaultHeaders(headers(s).entrySet().stream()
                .map(e -> new org.apache.hc.core5.http.message.BasicHeader(e.getKey(), e.getValue()))
                .toArray(org.apache.hc.core5.http.Header[]::new));
        builder.setRequestConfigCallback(rc -> rc
                .setConnectTimeout(org.apache.hc.core5.util.Timeout.ofMilliseconds(connectMs))
                .setResponseTimeout(org.apache.hc.core5.util.Timeout.ofMilliseconds(readMs)));
        return builder.build();
    }

    /** What sends the index template with an Elasticsearch client. */
    static IndexTemplate.Sender templates(org.elasticsearch.client.RestClient client) {
        return (path, json) -> {
            var req = new org.elasticsearch.client.Request("PUT", path(path));
            query(path).forEach(req::addParameter);
            req.setJsonEntity(json);
            org.elasticsearch.client.Response r;
            try {
                r = client.performRequest(req);
            } catch (org.elasticsearch.client.ResponseException e) {
                r = e.getResponse();
            }
            return new IndexTemplate.Answer(r.getStatusLine().getStatusCode(), r.getEntity() == null ? ""
                    : org.apache.http.util.EntityUtils.toString(r.getEntity(), StandardCharsets.UTF_8));
        };
    }

    /** What sends the index template with an OpenSearch client. */
    static IndexTemplate.Sender templates(org.opensearch.client.RestClient client) {
        return (path, json) -> {
            var req = new org.opensearch.client.Request("PUT", path(path));
            query(path).forEach(req::addParameter);
            req.setJsonEntity(json);
            org.opensearch.client.Response r;
            try {
                r = client.performRequest(req);
            } catch (org.opensearch.client.ResponseException e) {
                r = e.getResponse();
            }
            try {
                return new IndexTemplate.Answer(r.getStatusLine().getStatusCode(), r.getEntity() == null ? ""
                        : org.apache.hc.core5.http.io.entity.EntityUtils.toString(r.getEntity(),
                        StandardCharsets.UTF_8));
            } catch (org.apache.hc.core5.http.ParseException e) {
                throw new IOException(e);
            }
        };
    }

    private static String path(String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    }

    private static Map<String, String> query(String pathAndQuery) {
        Map<String, String> params = new LinkedHashMap<>();
        int q = pathAndQuery.indexOf('?');
        if (q >= 0) {
            for (String kv : pathAndQuery.substring(q + 1).split("&")) {
                int eq = kv.indexOf('=');
                params.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
            }
        }
        return params;
    }

    /** Custom headers, then basic auth (sent pre-emptively with every request). */
    static Map<String, String> headers(NotifierSettings s) {
        Map<String, String> h = new LinkedHashMap<>(s.headers("custom_headers"));
        if (s.isSet("user") && s.isSet("password")) {
            h.put("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (s.string("user") + ":" + s.string("password")).getBytes(StandardCharsets.UTF_8)));
        }
        return h;
    }

    private static int port(URI u) {
        if (u.getPort() > 0) {
            return u.getPort();
        }
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private static void prefix(URI u, java.util.function.Consumer<String> setter) {
        String path = u.getRawPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            setter.accept(path);
        }
    }

    /** Closes a client when Camel stops. */
    static void closeOnStop(CamelContext context, Closeable client) {
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
