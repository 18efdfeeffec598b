package org.falcosecurity.talon.dispatch;

import org.apache.camel.Exchange;
import org.falcosecurity.talon.config.Secrets;
import org.falcosecurity.talon.ops.TalonCounters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs (without secrets) and counts an unexpected error in a worker or dispatch route; the worker carries on. */
public class DispatchErrors {

    private static final Logger LOG = LoggerFactory.getLogger("falco-talon.dispatch");

    private final TalonCounters counters;

    public DispatchErrors(TalonCounters counters) {
        this.counters = counters;
    }

    public void unexpected(Exchange exchange) {
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        counters.increment("dispatch_errors");
        LOG.error("unexpected error while processing an event (route {}): {}", exchange.getFromRouteId(),
                Secrets.describe(t));
    }
}
