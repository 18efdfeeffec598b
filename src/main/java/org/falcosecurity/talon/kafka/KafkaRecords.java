package org.falcosecurity.talon.kafka;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.falcosecurity.talon.contract.TalonHeaders;
import org.falcosecurity.talon.delivery.NotificationTracker;
import org.falcosecurity.talon.intake.EventIntake;
import org.falcosecurity.talon.ops.TalonCounters;
import org.falcosecurity.talon.rules.BadEventException;
import org.falcosecurity.talon.rules.Event;
import org.falcosecurity.talon.rules.TraceIds;
import org.falcosecurity.talon.rules.EventParser;
import org.falcosecurity.talon.rules.RuleEngine;
import org.falcosecurity.talon.rules.TraceIds;
import org.falcosecurity.talon.telemetry.TraceContexts;
import org.falcosecurity.talon.telemetry.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The consumers' side of Kafka mode ({@code routes/kafka.camel.yaml}): turns a record into the exchange properties
 * the process route reads, waits for the event's notifications, and commits the record's offset — in that order,
 * so an offset is committed only once its event's actions and notifications are done (at-least-once).
 *
 * <p>A record that is not a Falco event (bad JSON, a missing field) is logged, counted
 * ({@code kafka_records{status=skipped}}) and committed: retrying it would fail the same way and hold up its
 * partition. Failures that retrying can cure (a commit refused during a rebalance, a consumer stopped while it
 * waited) are thrown, and the record is read again.
 */
public class KafkaRecords {

    /** Exchange property: the record's {@link KafkaManualCommit}. */
    static final String PROP_COMMIT = "TalonKafkaCommit";
    /** Exchange property: the topic the record came from (a bounded label: one of the configured topics). */
    static final String PROP_TOPIC = "TalonKafkaTopic";
    /** Exchange property: why the record was skipped. */
    static final String PROP_SKIPPED = "TalonKafkaSkipped";

    private static final Logger LOG = LoggerFactory.getLogger("falco-talon.kafka");

    private final EventParser parser;
    private final RuleEngine engine;
    private final EventIntake intake;
    private final TalonCounters counters;
    private final long notificationTimeoutMs;
    private final Tracing tracing;

    public KafkaRecords(RuleEngine engine, EventIntake intake, int maxRecordBytes, long notificationTimeoutMs,
                        TalonCounters counters, Tracing tracing) {
        this.parser = new EventParser(maxRecordBytes);
        this.engine = engine;
        this.intake = intake;
        this.counters = counters;
        this.notificationTimeoutMs = notificationTimeoutMs;
        this.tracing = tracing;
    }

    /**
     * A record of Talon's topic: the event, its plan, its trace id (the one the intake answered with) and a
     * {@link NotificationTracker}, as exchange properties. A record that is not an event is marked skipped.
     */
    public void admit(Exchange exchange) {
        Event event = parse(exchange);
        if (event == null) {
            return;
        }
        Message m = exchange.getMessage();
        String trace = traceId(m.getHeader(KafkaIntake.TRACE_HEADER));
        var plan = engine.plan(event);
        exchange.setProperty(TalonHeaders.PROP_EVENT, event);
        exchange.setProperty(TalonHeaders.PROP_PLAN, plan);
        exchange.setProperty(TalonHeaders.TRACE_ID, trace != null ? trace : TraceIds.of(event));
        // the trace the intake started (the record's traceparent header) goes on here
        tracing.received(exchange, "consume", event, exchange.getProperty(TalonHeaders.TRACE_ID, String.class),
                TraceContexts.parent(text(m.getHeader(KafkaIntake.TRACEPARENT_HEADER))), null);
        tracing.planned(exchange, plan);
        // the latency metric counts from the write to the topic (another replica's clock: milliseconds apart)
        Long written = m.getHeader(KafkaConstants.TIMESTAMP, Long.class);
        long waited = written == null ? 0 : Math.max(0, System.currentTimeMillis() - written);
        exchange.setProperty(TalonHeaders.PROP_RECEIVED_NANOS, System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(waited));
        exchange.setProperty(TalonHeaders.PROP_NOTIFICATIONS, new NotificationTracker());
    }

    /**
     * A record of {@code kafka.consume_topic} (Falcosidekick's Kafka output, keyed as it likes): counted and logged
     * as a received event, then written to Talon's topic keyed by pod, like an event the intake received.
     */
    public void rekey(Exchange exchange) {
        Event event = parse(exchange);
        if (event != null) {
            intake.admit(exchange, event);
        }
    }

    /** Waits, at most {@code kafka.notification_timeout_ms}, until the event's notifications are done. */
    public void awaitNotifications(Exchange exchange) throws InterruptedException {
        NotificationTracker tracker = NotificationTracker.of(exchange);
        if (tracker != null && !tracker.await(notificationTimeoutMs)) {
            counters.increment("kafka_notifications_unconfirmed");
            LOG.warn("{} notification(s) of event {} still retrying after {} ms: committing its offset; they go on"
                    + " in this replica's notifier queues (lost if it stops before they are done)",
                    tracker.pending(), exchange.getProperty(TalonHeaders.TRACE_ID), notificationTimeoutMs);
        }
    }

    /** Commits the record's offset (synchronously): the event is done. */
    public void commit(Exchange exchange) {
        KafkaManualCommit commit = exchange.getProperty(PROP_COMMIT, KafkaManualCommit.class);
        if (commit != null) {
            commit.commit();
        }
        String topic = exchange.getProperty(PROP_TOPIC, "?", String.class);
        counters.increment("kafka_records", "topic", topic, "status",
                exchange.getProperty(PROP_SKIPPED) == null ? "processed" : "skipped");
    }

    /** The record's event, or null (logged, marked skipped) when it is not one. Keeps what commit needs. */
    private Event parse(Exchange exchange) {
        Message m = exchange.getMessage();
        exchange.setProperty(PROP_COMMIT, m.getHeader(KafkaConstants.MANUAL_COMMIT));
        String topic = m.getHeader(KafkaConstants.TOPIC, "?", String.class);
        exchange.setProperty(PROP_TOPIC, topic);
        byte[] value = m.getBody(byte[].class);
        String reason;
        try {
            if (value == null) {
                throw new BadEventException(null, "the record has no value");
            }
            return parser.parse(value);
        } catch (BadEventException e) {
            reason = e.getMessage();
        } catch (RuntimeException e) {
            // deterministic in the record's content: retrying would fail the same way
            reason = "cannot read the event: " + e.getClass().getSimpleName();
        }
        exchange.setProperty(PROP_SKIPPED, reason);
        LOG.warn("skipping record {}-{}@{}: not a Falco event ({})", topic, m.getHeader(KafkaConstants.PARTITION),
                m.getHeader(KafkaConstants.OFFSET), reason);
        return null;
    }

    private static String traceId(Object header) {
        String s = text(header);
        return TraceIds.acceptable(s) ? s : null;
    }

    private static String text(Object header) {
        return header instanceof byte[] b ? new String(b, StandardCharsets.UTF_8)
                : header == null ? null : header.toString();
    }
}
