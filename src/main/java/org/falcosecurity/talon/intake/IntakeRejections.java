package org.falcosecurity.talon.intake;

import org.apache.camel.Exchange;
import org.falcosecurity.talon.ops.LogLimiter;
import org.falcosecurity.talon.ops.TalonCounters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Counts and logs events the intake could not take (queue full, internal error). */
public class IntakeRejections {

    private static final Logger LOG = LoggerFactory.getLogger("falco-talon.intake");

    private final TalonCounters counters;
    /** one "the worker queue is full" line a second */
    private final LogLimiter queueFullLines = LogLimiter.perSecond();

    public IntakeRejections(TalonCounters counters) {
        this.counters = counters;
    }

    /** The 4xx (or 503) answer for a refused request: status, JSON body naming the problem, and its headers. */
    public void answer(Exchange exchange) {
        IntakeException e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, IntakeException.class);
        counters.increment("events_rejected", "reason", e.getError());
        var m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, e.getStatus());
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (e.getStatus() == 401) {
            m.setHeader("WWW-Authenticate", "Bearer");
        }
        if (e.getRetryAfterSeconds() > 0) {
            m.setHeader("Retry-After", String.valueOf(e.getRetryAfterSeconds()));
        }
        m.setBody(e.getJson());
    }

    /** A full worker queue: counted every time, logged at most once a second (a sender can repeat it at will). */
    public void queueFull(Exchange exchange) {
        counters.increment("events_rejected", "reason", "queue_full");
        long notLogged = queueFullLines.admit("intake");
        if (notLogged >= 0) {
            LOG.warn("event rejected with 429: the worker queue is full{}", notLogged == 0 ? ""
                    : " (and " + notLogged + " more since the previous line, counted, not logged)");
        }
    }

    public void internalError(Exchange exchange) {
        counters.increment("events_rejected", "reason", "internal_error");
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.error("internal error while taking an event", t);
    }
}
