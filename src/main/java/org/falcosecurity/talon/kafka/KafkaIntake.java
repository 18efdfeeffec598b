package org.falcosecurity.talon.kafka;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.falcosecurity.talon.config.Secrets;
import org.falcosecurity.talon.contract.TalonHeaders;
import org.falcosecurity.talon.intake.IntakeException;
import org.falcosecurity.talon.ops.TalonCounters;
import org.falcosecurity.talon.rules.Event;
import org.falcosecurity.talon.telemetry.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * The intake's side of Kafka mode ({@code routes/kafka.camel.yaml}): an accepted event is written to the topic,
 * keyed by its pod, and the sender gets its 200 only once the broker acknowledged it. When the broker cannot take
 * it, the sender gets {@code 503} with {@code Retry-After}: Talon never accepts an event it could not store.
 *
 * <p>A failed write also opens a short cool-down during which new events are refused at once instead of each
 * waiting {@code kafka.send_timeout_ms} on a broker that is down: the HTTP server's worker threads (which also
 * answer {@code /healthz}) are never all stuck on the broker. The first event after the cool-down tries again, so
 * the intake recovers by itself.
 */
public class KafkaIntake {

    /** Header carrying the trace id to the consumer (a Kafka record header). */
    public static final String TRACE_HEADER = TalonHeaders.TRACE_ID;
    /** Header carrying the intake's span to the consumer (W3C traceparent), when tracing is on. */
    public static final String TRACEPARENT_HEADER = "traceparent";

    private static final Logger LOG = LoggerFactory.getLogger("falco-talon.kafka");
    static final int RETRY_AFTER_SECONDS = 1;

    private final TalonCounters counters;
    private final long coolDownNanos;
    private final Tracing tracing;
    private volatile long refuseUntil = System.nanoTime();

    public KafkaIntake(TalonCounters counters, Tracing tracing) {
        this(counters, TimeUnit.SECONDS.toNanos(RETRY_AFTER_SECONDS), tracing);
    }

    KafkaIntake(TalonCounters counters, long coolDownNanos, Tracing tracing) {
        this.counters = counters;
        this.coolDownNanos = coolDownNanos;
        this.tracing = tracing;
    }

    /** Refuses the event at once while the cool-down after a failed write lasts. */
    public void checkAvailable(Exchange exchange) throws IntakeException {
        if (System.nanoTime() - refuseUntil < 0) {
            throw unavailable();
        }
    }

    /**
     * The record: the event's JSON as received (the consumers parse it again, as they parse Falcosidekick's), keyed
     * by namespace/pod (hostname without a pod) so a pod's events share a partition, with the trace id as a header.
     */
    public void prepare(Exchange exchange) {
        Event event = exchange.getProperty(TalonHeaders.PROP_EVENT, Event.class);
        Message m = exchange.getMessage();
        m.setBody(m.getBody(byte[].class));
        m.setHeader(KafkaConstants.KEY, event.podKey());
        m.setHeader(TRACE_HEADER, exchange.getProperty(TalonHeaders.TRACE_ID, String.class));
        String traceparent = tracing.traceparent(exchange);
        if (traceparent != null) {
            m.setHeader(TRACEPARENT_HEADER, traceparent);
        }
    }

    /** The broker acknowledged the record. */
    public void published(Exchange exchange) {
        counters.increment("kafka_events_published");
        // the producer's headers are no answer to the sender
        exchange.getMessage().removeHeaders("*");
    }

    /** The write failed: {@code 413} for a record the broker will never take, else {@code 503} and a cool-down. */
    public void failed(Exchange exchange) throws IntakeException {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof RecordTooLargeException) {
                throw new IntakeException(413, "too_large", "the event is larger than the Kafka topic accepts",
                        null);
            }
        }
        refuseUntil = System.nanoTime() + coolDownNanos;
        LOG.warn("cannot store an event in Kafka ({}): refusing events with 503 for {} s",
                Secrets.describe(cause), RETRY_AFTER_SECONDS);
        throw unavailable();
    }

    private static IntakeException unavailable() {
        return new IntakeException(503, "unavailable", "the event store (Kafka) is unavailable; retry later", null,
                RETRY_AFTER_SECONDS);
    }
}
