package org.falcosecurity.talon.camel;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Counts and logs events the intake could not take (bad request, queue full, internal error). */
public class IntakeRejections {

    private static final Logger LOG = LoggerFactory.getLogger("falco-talon.intake");

    private final TalonCounters counters;

    public IntakeRejections(TalonCounters counters) {
        this.counters = counters;
    }

    /** A request refused with a 4xx ({@link IntakeException}); its error code is a fixed word, never event text. */
    public void badRequest(Exchange exchange) {
        IntakeException e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, IntakeException.class);
        counters.increment("events_rejected", "reason", e == null ? "bad_request" : e.getError());
    }

    public void queueFull(Exchange exchange) {
        counters.increment("events_rejected", "reason", "queue_full");
        LOG.warn("event rejected with 429: the worker queue is full");
    }

    public void internalError(Exchange exchange) {
        counters.increment("events_rejected", "reason", "internal_error");
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.error("internal error while taking an event", t);
    }
}
