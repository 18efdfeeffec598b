package org.falcosecurity.talon.telemetry;

import io.opentelemetry.proto.trace.v1.Span;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.HttpReceiver;
import org.falcosecurity.talon.support.OtlpReceiver;
import org.falcosecurity.talon.support.TalonTestServer;
import org.falcosecurity.talon.support.TestRoutes;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Talon's OpenTelemetry export against a loopback OTLP/gRPC collector (a protocol stand-in decoding the OTLP
 * protobuf messages): the span tree of one event (names, parent links, the trace id of the sender's {@code
 * traceparent}, the action's status), {@code traceparent} sent on to an HTTP notifier and given to the actionner;
 * counters pushed with {@code otel.metrics_enabled}; nothing exported when disabled; and a collector that does not
 * answer neither slows nor blocks the intake (spans dropped and counted).
 */
class OtlpTracesProtocolTest {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SENDER_SPAN = "00f067aa0ba902b7";

    /** {@code test:traced}: an actionner that writes an artifact to {@code test:sink} and reports its traceparent. */
    private static final String ROUTES = TestRoutes.SINK_OUTPUT + """
            - route:
                id: actionner-test-traced
                from:
                  uri: direct:actionner-test-traced
                  steps:
                    - setBody: {constant: "artifact"}
                    - to: direct:output-test-sink
                    - setHeader: {name: TalonStatus, constant: success}
                    - setHeader: {name: TalonOutput, simple: "traceparent=${header.TalonTraceparent}"}
            """;

    private static final String RULES = """
            - rule: Trace it
              match:
                rules: [Terminal shell in container]
              actions:
                - action: Collect
                  actionner: test:traced
              notifiers: [webhook]
            """;

    private static String otel(int port, String extra) {
        return """
                otel:
                  traces_enabled: true
                  collector_endpoint: 127.0.0.1
                  collector_port: %d
                  collector_use_insecure_grpc: true
                  timeout: 2
                %s""".formatted(port, extra);
    }

    private static String event() {
        return Events.shell("default", "web-1");
    }

    private static HttpResponse<String> post(TalonTestServer talon, String traceparent) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(talon.uri("/")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(event()));
        if (traceparent != null) {
            b.header("traceparent", traceparent);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String hex(com.google.protobuf.ByteString b) {
        return HexFormat.of().formatHex(b.toByteArray());
    }

    private static String attribute(Span s, String key) {
        return s.getAttributesList().stream().filter(a -> a.getKey().equals(key)).findFirst()
                .map(a -> a.getValue().hasStringValue() ? a.getValue().getStringValue()
                        : a.getValue().toString().strip()).orElse(null);
    }

    @Test
    void oneEventIsOneTraceWithTheSendersTraceIdAndASpanPerStep() throws Exception {
        try (OtlpReceiver collector = OtlpReceiver.start();
             HttpReceiver webhook = HttpReceiver.answering(200);
             TalonTestServer talon = TalonTestServer.builder().withoutKubernetesCluster()
                     .config(otel(collector.port(), "") + "routes_directory: " + TestRoutes.directory(ROUTES) + "\n"
                             + "notifiers:\n  webhook:\n    url: " + webhook.url() + "/hook\n")
                     .property("talon.otel.schedule-delay-ms", "100")
                     .rules(RULES).start()) {
            HttpResponse<String> r = post(talon, "00-" + TRACE_ID + "-" + SENDER_SPAN + "-01");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            // the traceparent's trace id is the event's
            assertThat(r.body()).contains("\"trace_id\":\"" + TRACE_ID + "\"");
            ActionResult result = talon.awaitResults(1).get(0);
            assertThat(result.getTraceId()).isEqualTo(TRACE_ID);
            HttpReceiver.Request hook = webhook.await(1).get(0);

            await().atMost(Duration.ofSeconds(20)).until(() -> collector.spans().stream().map(Span::getName)
                    .collect(Collectors.toSet()).containsAll(List.of("event", "match", "action", "output",
                            "notification")));
            List<Span> spans = collector.spans();
            assertThat(spans).hasSize(5).allSatisfy(s -> assertThat(hex(s.getTraceId())).isEqualTo(TRACE_ID));
            Map<String, Span> byName = spans.stream().collect(Collectors.toMap(Span::getName, Function.identity()));
            Span event = byName.get("event");
            Span match = byName.get("match");
            Span action = byName.get("action");
            Span output = byName.get("output");
            Span notification = byName.get("notification");
            // the tree: the sender's span ─ event ─ match ─ action ─ output, notification
            assertThat(hex(event.getParentSpanId())).isEqualTo(SENDER_SPAN);
            assertThat(event.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
            assertThat(match.getParentSpanId()).isEqualTo(event.getSpanId());
            assertThat(action.getParentSpanId()).isEqualTo(match.getSpanId());
            assertThat(output.getParentSpanId()).isEqualTo(action.getSpanId());
            assertThat(notification.getParentSpanId()).isEqualTo(action.getSpanId());

            assertThat(attribute(event, "event.rule")).isEqualTo("Terminal shell in container");
            assertThat(attribute(match, "rule.name")).isEqualTo("Trace it");
            assertThat(attribute(action, "action.actionner")).isEqualTo("test:traced");
            assertThat(attribute(action, "action.status")).isEqualTo("success");
            assertThat(attribute(action, "object.pod")).isEqualTo("web-1");
            assertThat(attribute(output, "output.target")).isEqualTo("test:sink");
            assertThat(attribute(output, "output.status")).isEqualTo("success");
            assertThat(attribute(notification, "notifier.name")).isEqualTo("webhook");
            assertThat(attribute(notification, "notification.status")).isEqualTo("sent");

            // the actionner is given the action span's traceparent, the HTTP notifier sends its own span's
            assertThat(result.getOutput()).isEqualTo("traceparent=00-" + TRACE_ID + "-" + hex(action.getSpanId())
                    + "-01");
            assertThat(hook.header("traceparent")).isEqualTo("00-" + TRACE_ID + "-" + hex(notification.getSpanId())
                    + "-01");
        }
    }

    @Test
    void withoutATraceparentTheEventsOwnUuidIsTheTraceAndCountersArePushed() throws Exception {
        try (OtlpReceiver collector = OtlpReceiver.start();
             HttpReceiver webhook = HttpReceiver.answering(200);
             TalonTestServer talon = TalonTestServer.builder().withoutKubernetesCluster()
                     .config(otel(collector.port(), "  metrics_enabled: true\n") + "routes_directory: "
                             + TestRoutes.directory(ROUTES) + "\nnotifiers:\n  webhook:\n    url: " + webhook.url()
                             + "/hook\n")
                     .property("talon.otel.schedule-delay-ms", "100")
                     .property("talon.otel.metric-interval-ms", "300")
                     .rules(RULES).start()) {
            String uuid = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
            String body = event().replaceFirst("\\{", "{\"uuid\":\"" + uuid + "\",");
            assertThat(talon.post(body).statusCode()).isEqualTo(200);
            talon.awaitResults(1);
            await().atMost(Duration.ofSeconds(30)).until(() -> collector.spans().size() >= 5);
            // a UUID maps to its 32 hex digits: the trace is found by the event's uuid
            assertThat(collector.spans()).allSatisfy(s -> assertThat(hex(s.getTraceId()))
                    .isEqualTo(uuid.replace("-", "")));
            assertThat(collector.spans().stream().filter(s -> s.getName().equals("event")).findFirst().orElseThrow()
                    .getParentSpanId().isEmpty()).isTrue();
            // the counters /metrics serves, pushed as cumulative sums
            await().atMost(Duration.ofSeconds(30)).until(() -> collector.metrics().stream()
                    .anyMatch(m -> m.getName().equals("falco_talon_events_received")
                            && m.getSum().getDataPointsList().stream().anyMatch(p -> p.getAsDouble() >= 1)));
        }
    }

    @Test
    void disabledNothingIsSent() throws Exception {
        try (OtlpReceiver collector = OtlpReceiver.start();
             TalonTestServer talon = TalonTestServer.builder().withoutKubernetesCluster()
                     .config("otel:\n  collector_endpoint: 127.0.0.1\n  collector_port: " + collector.port()
                             + "\n  collector_use_insecure_grpc: true\nroutes_directory: "
                             + TestRoutes.directory(ROUTES) + "\n")
                     .rules(RULES.replace("  notifiers: [webhook]\n", "")).start()) {
            HttpResponse<String> r = post(talon, "00-" + TRACE_ID + "-" + SENDER_SPAN + "-01");
            assertThat(r.statusCode()).isEqualTo(200);
            ActionResult result = talon.awaitResults(1).get(0);
            // the trace id is still the sender's; the actionner gets no traceparent
            assertThat(result.getTraceId()).isEqualTo(TRACE_ID);
            assertThat(result.getOutput()).isEqualTo("traceparent=");
            Thread.sleep(1500);
            assertThat(collector.spans()).isEmpty();
            assertThat(collector.metrics()).isEmpty();
        }
    }

    @Test
    void aCollectorThatNeverAnswersNeitherBlocksTheIntakeNorKeepsSpansBeyondTheQueue() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        // accepted, never read nor answered
                        held.add(silent.accept());
                    }
                } catch (Exception closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            try (TalonTestServer talon = TalonTestServer.builder().withoutKubernetesCluster()
                    .config(otel(silent.getLocalPort(), "") + "routes_directory: " + TestRoutes.directory(ROUTES)
                            + "\n")
                    .property("talon.otel.max-queue-size", "16")
                    .property("talon.otel.max-export-batch-size", "4")
                    .property("talon.otel.schedule-delay-ms", "100")
                    .rules(RULES.replace("  notifiers: [webhook]\n", "")).start()) {
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
                for (int i = 0; i < 60; i++) {
                    // a different output each time: no event is a duplicate of another
                    String body = Events.shell("default", "web-" + i)
                            .replace("test output", "test output " + i);
                    // an answer within the request timeout, every time, while exports hang for otel.timeout
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(talon.uri("/").toString()))
                            .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                }
                assertThat(talon.awaitResults(60)).allSatisfy(res -> assertThat(res.getStatus())
                        .isEqualTo(ActionResult.SUCCESS));
                // 60 events × 4 spans: far more than the queue holds while the collector hangs
                var registry = talon.server().runtime().meterRegistry();
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    var dropped = registry.find("falco_talon_otel_spans").tag("status", "dropped").counter();
                    return dropped != null && dropped.count() > 100;
                });
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
