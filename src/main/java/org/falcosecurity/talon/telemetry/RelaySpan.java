package org.falcosecurity.talon.telemetry;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;

/** A follower's forward of an event to the leader ({@code relay}), ended with the leader's answer. */
public final class RelaySpan {

    static final RelaySpan NONE = new RelaySpan(null);

    private final Span span;

    RelaySpan(Span span) {
        this.span = span;
    }

    /** The header the forward carries, so the leader's spans continue this trace (null: tracing off). */
    public String traceparent() {
        return span == null ? null : TraceContexts.traceparent(span.getSpanContext());
    }

    /** @param status the leader's HTTP status, or 0 when it could not be reached */
    public void end(int status) {
        if (span == null) {
            return;
        }
        if (status > 0) {
            span.setAttribute("http.response.status_code", status);
        }
        span.setStatus(status == 200 ? StatusCode.OK : StatusCode.ERROR,
                status == 0 ? "leader unreachable" : "leader answered " + status);
        span.end();
    }
}
