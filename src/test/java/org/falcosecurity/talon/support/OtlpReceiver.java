package org.falcosecurity.talon.support;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A loopback OpenTelemetry collector: OTLP over gRPC (HTTP/2 without TLS, Vert.x), decoding what it receives with
 * the OTLP protobuf classes ({@code io.opentelemetry.proto:opentelemetry-proto}) and answering each export as a
 * collector does (an empty response, {@code grpc-status: 0}).
 */
public final class OtlpReceiver implements AutoCloseable {

    static final String TRACES = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    static final String METRICS = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final List<Span> spans = new CopyOnWriteArrayList<>();
    private final List<Metric> metrics = new CopyOnWriteArrayList<>();

    private OtlpReceiver() throws Exception {
        server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
                .setHttp2ClearTextEnabled(true));
        server.requestHandler(this::handle);
        server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public static OtlpReceiver start() throws Exception {
        return new OtlpReceiver();
    }

    public int port() {
        return server.actualPort();
    }

    private void handle(HttpServerRequest req) {
        req.body().onSuccess(body -> {
            try {
                byte[] message = unframe(body.getBytes());
                byte[] answer;
                if (TRACES.equals(req.path())) {
                    ExportTraceServiceRequest r = ExportTraceServiceRequest.parseFrom(message);
                    r.getResourceSpansList().forEach(rs -> rs.getScopeSpansList()
                            .forEach(ss -> spans.addAll(ss.getSpansList())));
                    answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
                } else if (METRICS.equals(req.path())) {
                    ExportMetricsServiceRequest r = ExportMetricsServiceRequest.parseFrom(message);
                    r.getResourceMetricsList().forEach(rm -> rm.getScopeMetricsList()
                            .forEach(sm -> metrics.addAll(sm.getMetricsList())));
                    answer = ExportMetricsServiceResponse.getDefaultInstance().toByteArray();
                } else {
                    req.response().setStatusCode(404).end();
                    return;
                }
                req.response().putHeader("content-type", "application/grpc").putTrailer("grpc-status", "0")
                        .end(Buffer.buffer(frame(answer)));
            } catch (Exception e) {
                req.response().putHeader("content-type", "application/grpc").putTrailer("grpc-status", "13")
                        .end();
            }
        });
    }

    /** A gRPC message: a compression flag (0), a 4-byte length, the protobuf bytes. */
    private static byte[] unframe(byte[] framed) {
        if (framed.length < 5 || framed[0] != 0) {
            throw new IllegalArgumentException("not an uncompressed gRPC message");
        }
        int length = ByteBuffer.wrap(framed, 1, 4).getInt();
        byte[] out = new byte[length];
        System.arraycopy(framed, 5, out, 0, length);
        return out;
    }

    private static byte[] frame(byte[] message) {
        return ByteBuffer.allocate(5 + message.length).put((byte) 0).putInt(message.length).put(message).array();
    }

    /** Every span received so far. */
    public List<Span> spans() {
        return List.copyOf(spans);
    }

    /** Every metric received so far (each push adds them again: they are cumulative). */
    public List<Metric> metrics() {
        return List.copyOf(metrics);
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
