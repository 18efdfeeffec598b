package org.falcosecurity.talon.telemetry;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code output} spans: each call of an output route ({@code direct:output-<category>-<name>}, wherever an
 * actionner route makes it) is a span, child of the action's, from the send to its return; an exception fails it.
 * A Camel event notifier sees every send, so output routes need no code of their own; it is registered only when
 * tracing is on, and ignores every other kind of Camel event.
 */
final class OutputSpans extends EventNotifierSupport {

    private static final Pattern OUTPUT = Pattern.compile("^direct:(?://)?output-([a-z0-9_]+)-([a-z0-9_]+)(\\?.*)?$");
    private static final String PROP_SPANS = "TalonOutputSpans";

    private final Tracing tracing;

    OutputSpans(Tracing tracing) {
        this.tracing = tracing;
        setIgnoreCamelContextEvents(true);
        setIgnoreCamelContextInitEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeCompletedEvent(true);
        setIgnoreExchangeFailedEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
        setIgnoreStepEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.ExchangeSendingEvent || event instanceof CamelEvent.ExchangeSentEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        if (event instanceof CamelEvent.ExchangeSendingEvent sending) {
            Matcher m = OUTPUT.matcher(sending.getEndpoint().getEndpointUri());
            if (m.matches()) {
                Span s = tracing.outputStarted(sending.getExchange(), m.group(1) + ":" + m.group(2));
                if (s != null) {
                    spans(sending.getExchange()).push(s);
                }
            }
        } else if (event instanceof CamelEvent.ExchangeSentEvent sent
                && OUTPUT.matcher(sent.getEndpoint().getEndpointUri()).matches()) {
            Deque<Span> spans = spans(sent.getExchange());
            if (!spans.isEmpty()) {
                Span s = spans.pop();
                Exception failure = sent.getExchange().getException();
                if (failure != null) {
                    s.setAttribute("output.status", "failure");
                    s.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
                } else {
                    s.setAttribute("output.status", "success");
                    s.setStatus(StatusCode.OK, "output successfully stored");
                }
                s.end();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Deque<Span> spans(Exchange exchange) {
        Deque<Span> d = exchange.getProperty(PROP_SPANS, Deque.class);
        if (d == null) {
            d = new ArrayDeque<>();
            exchange.setProperty(PROP_SPANS, d);
        }
        return d;
    }
}
