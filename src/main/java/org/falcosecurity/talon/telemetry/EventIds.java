package org.falcosecurity.talon.telemetry;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.sdk.trace.IdGenerator;

/**
 * The SDK's random ids, except for the root span of an event's trace, whose trace id is the event's: {@link
 * #startRoot} names it for the span it starts on this thread.
 */
final class EventIds implements IdGenerator {

    static final EventIds INSTANCE = new EventIds();
    private static final ThreadLocal<String> NEXT_TRACE_ID = new ThreadLocal<>();

    private EventIds() {
    }

    static Span startRoot(SpanBuilder builder, String traceId) {
        NEXT_TRACE_ID.set(traceId);
        try {
            return builder.startSpan();
        } finally {
            NEXT_TRACE_ID.remove();
        }
    }

    @Override
    public String generateSpanId() {
        return IdGenerator.random().generateSpanId();
    }

    @Override
    public String generateTraceId() {
        String id = NEXT_TRACE_ID.get();
        return id != null ? id : IdGenerator.random().generateTraceId();
    }
}
