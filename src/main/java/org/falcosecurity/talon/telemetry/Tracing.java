package org.falcosecurity.talon.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import org.apache.camel.Exchange;
import org.falcosecurity.talon.config.Settings;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.ops.TalonCounters;
import org.falcosecurity.talon.rules.Action;
import org.falcosecurity.talon.rules.Event;
import org.falcosecurity.talon.rules.RuleMatch;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Talon's OpenTelemetry traces (docs/tracing.md): one trace per event, whose trace id is the event's ({@link
 * TraceContexts#otelTraceId}), with a span for the intake ({@code event}; {@code consume} for a record read from
 * Kafka), each matched rule ({@code match}), each action ({@code action}), each notification ({@code notification})
 * and each artifact output ({@code output}, {@link OutputSpans}); a follower adds {@code relay} when it forwards the
 * event to the leader, whose spans continue the same trace. Exported by OTLP/gRPC to {@code
 * otel.collector_endpoint:otel.collector_port} through a bounded queue ({@link SpanQueue}).
 *
 * <p>Disabled ({@code otel.traces_enabled: false}, the default), every method returns at once and nothing is
 * created or exported. The routes reach it as the bean {@code talonTracing}.
 */
public final class Tracing implements AutoCloseable {

    /** Exchange property: the event's {@link EventTrace}. */
    public static final String PROP_TRACE = "TalonTrace";
    /** Exchange property: the span of the action running now. */
    public static final String PROP_ACTION_SPAN = "TalonActionSpan";
    /** Exchange property: the span context a result's notifications are children of. */
    public static final String PROP_NOTIFY_PARENT = "TalonNotifyParent";
    static final String PROP_NOTIFICATION_SPAN = "TalonNotificationSpan";
    /**
     * The W3C {@code traceparent} for an outbound call of this step: header and exchange property on the actionner
     * exchange (the action's span) and exchange property on the notifier exchange (the notification's span).
     */
    public static final String TRACEPARENT = org.falcosecurity.talon.contract.TalonHeaders.TRACEPARENT;

    private static final Pattern FIELD = Pattern.compile("[A-Za-z0-9._\\[\\]-]{1,64}");
    private static final int MAX_FIELDS = 32;

    /** The exporter's knobs (Camel properties talon.otel.*). */
    public record Tuning(int maxQueueSize, int maxExportBatchSize, int scheduleDelayMs, int maxAttributeLength) {
    }

    private final Tracer tracer;
    private final SdkTracerProvider provider;

    private Tracing(Tracer tracer, SdkTracerProvider provider) {
        this.tracer = tracer;
        this.provider = provider;
    }

    public static Tracing disabled() {
        return new Tracing(null, null);
    }

    /** Traces exported to the collector {@code otel} names, as replica {@code instance}. */
    public static Tracing create(Settings.Otel otel, Tuning tuning, String instance, TalonCounters counters) {
        if (!otel.tracesEnabled()) {
            return disabled();
        }
        Duration timeout = Duration.ofSeconds(otel.timeout());
        OtlpGrpcSpanExporter exporter = OtlpGrpcSpanExporter.builder()
                .setEndpoint(Collector.endpoint(otel))
                .setTimeout(timeout)
                .setRetryPolicy(Collector.retries())
                .build();
        SpanQueue queue = new SpanQueue(exporter, counters, tuning.maxQueueSize(), tuning.maxExportBatchSize(),
                tuning.scheduleDelayMs(), timeout);
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Collector.resource(instance))
                .setIdGenerator(EventIds.INSTANCE)
                .setSampler(Sampler.parentBased(Sampler.alwaysOn()))
                .setSpanLimits(SpanLimits.builder().setMaxAttributeValueLength(tuning.maxAttributeLength()).build())
                .addSpanProcessor(queue)
                .build();
        return new Tracing(provider.get("falco-talon"), provider);
    }

    public boolean enabled() {
        return tracer != null;
    }

    /** Adds the {@code output} spans' event notifier to {@code context} (before it starts), when tracing is on. */
    public void instrument(org.apache.camel.CamelContext context) {
        if (tracer != null) {
            context.getManagementStrategy().addEventNotifier(new OutputSpans(this));
        }
    }

    /**
     * The intake's span of an accepted event ({@code event}, or {@code consume} in Kafka mode): a child of the
     * sender's {@code traceparent} when it sent a valid one, else the root of a trace whose id is the event's. It
     * ends when the exchange does (the sender has its answer).
     */
    public void received(Exchange exchange, String name, Event e, String traceId, SpanContext remoteParent,
                         String relayedBy) {
        if (tracer == null) {
            return;
        }
        SpanBuilder b = tracer.spanBuilder(name).setSpanKind(name.equals("event") ? SpanKind.SERVER
                : SpanKind.CONSUMER);
        Span span;
        if (remoteParent != null) {
            span = b.setParent(Context.root().with(Span.wrap(remoteParent))).startSpan();
        } else {
            span = EventIds.startRoot(b.setNoParent(), TraceContexts.otelTraceId(traceId));
        }
        span.setAttribute("event.rule", e.rule());
        span.setAttribute("event.source", e.source());
        span.setAttribute("event.priority", e.priority().displayName());
        span.setAttribute("event.output", e.output());
        span.setAttribute("event.hostname", e.hostname());
        span.setAttribute("event.trace_id", traceId);
        span.setAttribute(AttributeKey.stringArrayKey("event.tags"), e.tags());
        if (relayedBy != null) {
            span.setAttribute("event.relayed_by", relayedBy);
        }
        int n = 0;
        for (Map.Entry<String, String> f : e.outputFields().entrySet()) {
            if (n++ >= MAX_FIELDS) {
                break;
            }
            if (FIELD.matcher(f.getKey()).matches()) {
                span.setAttribute("event.output_fields[\"" + f.getKey() + "\"]", f.getValue());
            }
        }
        EventTrace trace = new EventTrace(span);
        exchange.setProperty(PROP_TRACE, trace);
        exchange.getExchangeExtension().addOnCompletion(new org.apache.camel.support.SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                Integer code = done.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
                if (code != null) {
                    span.setAttribute("http.response.status_code", code);
                }
                if (done.getException() != null || (code != null && code >= 400)) {
                    span.setStatus(StatusCode.ERROR, code == null ? "failed" : "answered " + code);
                }
                span.end();
            }
        });
    }

    /** One {@code match} span per planned rule, children of the event's span. */
    public void planned(Exchange exchange, List<RuleMatch> plan) {
        EventTrace trace = trace(exchange);
        if (trace == null) {
            return;
        }
        for (RuleMatch m : plan) {
            Span s = tracer.spanBuilder("match").setParent(trace.context)
                    .setAttribute("rule.name", m.rule().name())
                    .setAttribute("rule.description", m.rule().description())
                    .setAttribute("rule.dry_run", m.dryRun())
                    .setAttribute("rule.actions", m.actions().size())
                    .startSpan();
            s.setStatus(StatusCode.OK, "match detected");
            s.end();
            trace.addMatch(s);
        }
    }

    /** The {@code traceparent} of the event's span (Kafka mode: a header of the record). */
    public String traceparent(Exchange exchange) {
        EventTrace trace = trace(exchange);
        return trace == null ? null : TraceContexts.traceparent(trace.event.getSpanContext());
    }

    /** A follower forwarding the event to the leader: {@code relay}, ended with the leader's answer. */
    public RelaySpan relay(Exchange exchange, String leader) {
        EventTrace trace = trace(exchange);
        if (trace == null) {
            return RelaySpan.NONE;
        }
        Span s = tracer.spanBuilder("relay").setParent(trace.context).setSpanKind(SpanKind.CLIENT)
                .setAttribute("relay.leader", String.valueOf(leader)).startSpan();
        return new RelaySpan(s);
    }

    /** {@code direct:talon-action}: the action's span starts (child of its rule's match) before its actionner. */
    public void actionStarted(Exchange exchange, int ruleIndex, Action a) {
        EventTrace trace = trace(exchange);
        if (trace == null) {
            return;
        }
        Span s = actionSpan(trace, ruleIndex, a);
        exchange.setProperty(PROP_ACTION_SPAN, s);
        String tp = TraceContexts.traceparent(s.getSpanContext());
        exchange.setProperty(TRACEPARENT, tp);
        exchange.getMessage().setHeader(TRACEPARENT, tp);
    }

    /** The actionner answered: the span gets the result and ends; returns its context (its notifications' parent). */
    public SpanContext actionDone(Exchange exchange, ActionResult r) {
        Span s = exchange.getProperty(PROP_ACTION_SPAN, Span.class);
        if (s == null) {
            return null;
        }
        exchange.removeProperty(PROP_ACTION_SPAN);
        exchange.removeProperty(TRACEPARENT);
        return finish(s, r);
    }

    /** An action the dispatcher answered itself (dry run, blast-radius limit): a span with its result. */
    public SpanContext actionNotRun(Exchange exchange, int ruleIndex, Action a, ActionResult r) {
        EventTrace trace = trace(exchange);
        return trace == null ? null : finish(actionSpan(trace, ruleIndex, a), r);
    }

    private Span actionSpan(EventTrace trace, int ruleIndex, Action a) {
        String[] cn = a.actionner().split(":", 2);
        return tracer.spanBuilder("action").setParent(trace.rule(ruleIndex))
                .setAttribute("action.name", a.name())
                .setAttribute("action.actionner", a.actionner())
                .setAttribute("action.description", a.description())
                .setAttribute("action.continue", a.continueAfter())
                .setAttribute("action.ignore_errors", a.ignoreErrors())
                .setAttribute("actionner.category", cn[0])
                .setAttribute("actionner.name", cn.length > 1 ? cn[1] : "")
                .startSpan();
    }

    private static SpanContext finish(Span s, ActionResult r) {
        s.setAttribute("action.status", r.getStatus());
        // upstream Falco Talon's name for it
        s.setAttribute("action.result", r.getStatus());
        if (r.getOutput() != null && !r.getOutput().isEmpty()) {
            s.setAttribute("action.output", r.getOutput());
        }
        r.getObjects().forEach((k, v) -> {
            if (FIELD.matcher(k).matches()) {
                s.setAttribute("object." + k, v);
            }
        });
        if (ActionResult.FAILURE.equals(r.getStatus())) {
            s.setStatus(StatusCode.ERROR, r.getError() == null ? "failure" : r.getError());
        } else {
            s.setStatus(StatusCode.OK, r.getMessage() == null ? r.getStatus() : r.getMessage());
        }
        s.end();
        return s.getSpanContext();
    }

    /** The notifier queue took a notification: its span starts (child of the action's). */
    public void notificationStarted(Exchange exchange) {
        SpanContext parent = exchange.getProperty(PROP_NOTIFY_PARENT, SpanContext.class);
        if (tracer == null || parent == null) {
            return;
        }
        Span s = notificationSpan(parent, exchange.getProperty("TalonNotifier", "?", String.class));
        exchange.setProperty(PROP_NOTIFICATION_SPAN, s);
        exchange.setProperty(TRACEPARENT, TraceContexts.traceparent(s.getSpanContext()));
    }

    /** A notification failed and is tried again. */
    public void notificationRetry(Exchange exchange, int attempt) {
        Span s = exchange.getProperty(PROP_NOTIFICATION_SPAN, Span.class);
        if (s != null) {
            s.addEvent("retry", Attributes.of(AttributeKey.longKey("attempt"), (long) attempt));
        }
    }

    /** @param status {@code sent} or {@code failed} */
    public void notificationDone(Exchange exchange, String status, String error) {
        Span s = exchange.getProperty(PROP_NOTIFICATION_SPAN, Span.class);
        if (s == null) {
            return;
        }
        exchange.removeProperty(PROP_NOTIFICATION_SPAN);
        end(s, status, error);
    }

    /** A notification its notifier's full queue refused. */
    public void notificationDropped(Exchange exchange, String notifier) {
        SpanContext parent = exchange.getProperty(PROP_NOTIFY_PARENT, SpanContext.class);
        if (tracer != null && parent != null) {
            end(notificationSpan(parent, notifier), "dropped", "the notifier's queue is full");
        }
    }

    private Span notificationSpan(SpanContext parent, String notifier) {
        return tracer.spanBuilder("notification").setParent(Context.root().with(Span.wrap(parent)))
                .setSpanKind(SpanKind.PRODUCER).setAttribute("notifier.name", notifier).startSpan();
    }

    private static void end(Span s, String status, String error) {
        s.setAttribute("notification.status", status);
        if ("sent".equals(status)) {
            s.setStatus(StatusCode.OK, "notification successfully sent");
        } else {
            s.setStatus(StatusCode.ERROR, error == null ? status : error);
        }
        s.end();
    }

    /** An output route is called: its span starts, child of the action's (for {@link OutputSpans}). */
    Span outputStarted(Exchange exchange, String target) {
        Span action = exchange.getProperty(PROP_ACTION_SPAN, Span.class);
        if (tracer == null || action == null) {
            return null;
        }
        return tracer.spanBuilder("output").setParent(Context.root().with(action)).setSpanKind(SpanKind.CLIENT)
                .setAttribute("output.target", target).startSpan();
    }

    private EventTrace trace(Exchange exchange) {
        return tracer == null ? null : exchange.getProperty(PROP_TRACE, EventTrace.class);
    }

    /** Exports what is queued (tests; shutdown). */
    public void flush() {
        if (provider != null) {
            provider.forceFlush().join(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        if (provider != null) {
            provider.shutdown().join(10, TimeUnit.SECONDS);
        }
    }
}
