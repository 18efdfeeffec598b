package org.falcosecurity.talon.support;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A loopback HTTP server (the JDK's) that records every request and answers with a chosen status; in {@code hang}
 * mode it holds every request open until closed, to play a target that stopped answering.
 */
public final class HttpReceiver implements AutoCloseable {

    /** One received request; header names are lower-cased. */
    public record Request(String method, String path, String query, Map<String, List<String>> headers, String body) {
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(java.util.Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile int status;
    private volatile boolean hang;
    private volatile String responseBody = "";
    private volatile String location;
    private final java.util.concurrent.atomic.AtomicInteger failuresLeft = new java.util.concurrent.atomic.AtomicInteger();
    private volatile int failureStatus = 500;

    private HttpReceiver(int status) throws IOException {
        this(status, 0);
    }

    private HttpReceiver(int status, int port) throws IOException {
        this.status = status;
        server = loopback(port, "http-receiver");
        server.createContext("/", exchange -> {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(), lower(exchange.getRequestHeaders()), body));
            if (hang) {
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] out = responseBody.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain");
            if (location != null) {
                exchange.getResponseHeaders().add("Location", location);
            }
            int answer = failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? failureStatus : status;
            try {
                exchange.sendResponseHeaders(answer, out.length == 0 ? -1 : out.length);
                if (out.length > 0) {
                    exchange.getResponseBody().write(out);
                }
            } catch (IOException ignored) {
                // the client gave up (timeout)
            }
            exchange.close();
        });
        server.start();
    }

    /** A receiver answering {@code status} to every request. */
    /** A JDK HTTP server on the loopback address, its handlers on daemon threads named {@code threadName}. */
    static HttpServer loopback(int port, String threadName) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        }));
        return server;
    }

    public static HttpReceiver answering(int status) throws IOException {
        return new HttpReceiver(status);
    }

    /** A receiver answering {@code status} on a given port (to come up where a notifier already points). */
    public static HttpReceiver on(int port, int status) throws IOException {
        return new HttpReceiver(status, port);
    }

    /** A receiver that accepts connections and never answers (until closed). */
    public static HttpReceiver hanging() throws IOException {
        HttpReceiver r = new HttpReceiver(200);
        r.hang = true;
        return r;
    }

    /** Answers {@code failureStatus} to the first {@code n} requests, then the normal status. */
    public HttpReceiver failingFirst(int n, int failureStatus) {
        this.failureStatus = failureStatus;
        this.failuresLeft.set(n);
        return this;
    }

    /** Answers every request with {@code Location: url} (with a 3xx status, a redirect). */
    public HttpReceiver location(String url) {
        this.location = url;
        return this;
    }

    public HttpReceiver body(String body) {
        this.responseBody = body;
        return this;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Waits for at least {@code n} requests and returns them. */
    public List<Request> await(int n) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> requests.size() >= n);
        return requests();
    }

    private static Map<String, List<String>> lower(Headers h) {
        Map<String, List<String>> m = new TreeMap<>();
        h.forEach((k, v) -> m.put(k.toLowerCase(java.util.Locale.ROOT), List.copyOf(v)));
        return m;
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
    }
}
