package org.falcosecurity.talon.support;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A loopback HTTP server (the JDK's) that records every request and answers what a function of the request says:
 * the stand-in for a cloud API (Lambda, Cloud Functions, a token endpoint, a metadata server) in protocol tests.
 */
public final class ScriptedHttpServer implements AutoCloseable {

    /** What to answer. */
    public record Answer(int status, Map<String, String> headers, String body) {
        public static Answer of(int status, String body) {
            return new Answer(status, Map.of(), body);
        }
    }

    private final HttpServer server;
    private final List<HttpReceiver.Request> requests = new CopyOnWriteArrayList<>();

    public ScriptedHttpServer(Function<HttpReceiver.Request, Answer> script) throws IOException {
        server = HttpReceiver.loopback(0, "scripted-http");
        server.createContext("/", exchange -> {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Map<String, List<String>> headers = new java.util.TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
            HttpReceiver.Request request = new HttpReceiver.Request(exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath(), exchange.getRequestURI().getRawQuery(), headers, body);
            requests.add(request);
            Answer a;
            try {
                a = script.apply(request);
            } catch (RuntimeException e) {
                a = Answer.of(599, "script failed: " + e);
            }
            a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(out);
            }
        });
        server.start();
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String url() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    public List<HttpReceiver.Request> requests() {
        return List.copyOf(requests);
    }

    public void clear() {
        requests.clear();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
