package org.falcosecurity.talon.camel;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.falcosecurity.talon.config.Secrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Accounts for notifications: each retry is logged (without the exception's text, which may hold a URL with a token),
 * and a notification that exhausted its retries or found its queue full is logged, counted and, when configured,
 * appended to a dead-letter file as a JSON line. Every outcome is counted in
 * {@code notifications{notifier,status=sent|failed|dropped}}.
 */
public class NotificationLosses implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger("falco-talon.notifiers");
    /** Exchange property set on a notification that went to the dead letter. */
    static final String PROP_LOST = "TalonNotificationLost";
    /** Exchange property naming the notifier, set by the notifier queue route (headers may not survive the route). */
    static final String PROP_NOTIFIER = "TalonNotifierName";

    private final TalonCounters counters;
    private final Path deadLetterFile;

    public NotificationLosses(TalonCounters counters, Path deadLetterFile) {
        this.counters = counters;
        this.deadLetterFile = deadLetterFile;
    }

    /** Called before each redelivery ({@code onRedeliveryRef}). */
    @Override
    public void process(Exchange exchange) {
        String notifier = notifier(exchange);
        Integer attempt = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, Integer.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        counters.increment("notification_retries", "notifier", notifier);
        LOG.warn("notifier '{}' failed ({}); retry {} for rule='{}' action='{}'", notifier, describe(cause),
                attempt, exchange.getMessage().getHeader(TalonHeaders.RULE),
                exchange.getMessage().getHeader(TalonHeaders.ACTION));
    }

    /** A notification that failed after every retry. */
    public void deadLetter(Exchange exchange) {
        String notifier = notifier(exchange);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        counters.increment("notifications_lost", "notifier", notifier, "reason", "failed");
        counters.increment("notifications", "notifier", notifier, "status", "failed");
        exchange.setProperty(PROP_LOST, true);
        LOG.error("notification to '{}' lost after its retries ({}): {}", notifier, describe(cause),
                summary(exchange));
        writeDeadLetter(exchange, notifier, "failed");
    }

    /**
     * Called by the notifier queue route after the notifier route returned: counts a delivery unless the notification
     * went to the dead letter (the dead letter channel handles the failure, so the route goes on either way).
     */
    public void delivered(Exchange exchange) {
        if (!exchange.getProperty(PROP_LOST, false, Boolean.class)) {
            String notifier = notifier(exchange);
            counters.increment("notifications", "notifier", notifier, "status", "sent");
        }
    }

    /** A notifier queue was full: this notification is dropped. */
    public void queueFull(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        counters.increment("notifications_lost", "notifier", "*", "reason", "queue_full");
        counters.increment("notifications", "notifier", "*", "status", "dropped");
        LOG.error("notification dropped, a notifier queue is full ({}): {}", describe(cause), summary(exchange));
        writeDeadLetter(exchange, "*", "queue_full");
    }

    /**
     * The notifier: the property the queue route sets (it survives {@code useOriginalMessage}, which restores the
     * message as it entered the queue, before the {@code TalonNotifier} header was set), else that header.
     */
    private static String notifier(Exchange exchange) {
        String n = exchange.getProperty(PROP_NOTIFIER, String.class);
        return n != null ? n : exchange.getMessage().getHeader(TalonHeaders.NOTIFIER, "?", String.class);
    }

    private static String summary(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        if (body instanceof ActionResult r) {
            return "rule='" + r.getRule() + "' action='" + r.getAction() + "' status=" + r.getStatus()
                    + " trace_id=" + r.getTraceId();
        }
        return "trace_id=" + exchange.getMessage().getHeader(TalonHeaders.TRACE_ID);
    }

    /** Exception type and message with any URL credentials masked. */
    static String describe(Throwable t) {
        if (t == null) {
            return "unknown error";
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage() == null ? "" : ": " + Secrets.maskUrls(stripQuery(root.getMessage()));
        return root.getClass().getSimpleName() + msg;
    }

    /** Drops URL paths and queries from a message: webhook URLs carry their token in the path. */
    private static String stripQuery(String s) {
        return s.replaceAll("(?i)(https?://[^/\\s]+)/\\S*", "$1/…");
    }

    private synchronized void writeDeadLetter(Exchange exchange, String notifier, String reason) {
        if (deadLetterFile == null) {
            return;
        }
        Object body = exchange.getMessage().getBody();
        String json = body instanceof ActionResult r ? r.getJson() : "null";
        String line = "{\"notifier\":\"" + notifier + "\",\"reason\":\"" + reason + "\",\"result\":" + json + "}\n";
        try {
            Files.writeString(deadLetterFile, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.error("cannot write the dead-letter file {}: {}", deadLetterFile, e.getMessage());
        }
    }
}
