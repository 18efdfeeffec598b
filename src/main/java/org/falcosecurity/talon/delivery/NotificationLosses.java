package org.falcosecurity.talon.delivery;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.falcosecurity.talon.config.Secrets;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.contract.TalonHeaders;
import org.falcosecurity.talon.ops.LogLimiter;
import org.falcosecurity.talon.ops.TalonCounters;
import org.falcosecurity.talon.ops.UpstreamMetrics;
import org.falcosecurity.talon.telemetry.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Accounts for notifications: each retry is logged (without the exception's text, which may hold a URL with a token),
 * and a notification that exhausted its retries or found its queue full is logged, counted and, when configured,
 * appended to a dead-letter file as a JSON line. Every outcome is counted in
 * {@code notifications{notifier,status=sent|failed|dropped}}.
 *
 * <p>The dead-letter file rotates: a line that would take it past {@code talon.notifier.dead-letter-max-bytes} first
 * renames it to {@code <file>.1} (and {@code .1} to {@code .2}, ...), keeping {@code dead-letter-max-files} rotated
 * files; the oldest is deleted. Its disk use is bounded by about {@code (max-files + 1) × max-bytes}.
 */
public class NotificationLosses implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger("falco-talon.notifiers");

    private final TalonCounters counters;
    private final Path deadLetterFile;
    private final long maxBytes;
    private final int maxFiles;
    private final Tracing tracing;
    /** one "dropped, its queue is full" line per notifier and second */
    private final LogLimiter dropLines = LogLimiter.perSecond();

    /**
     * @param deadLetterFile where lost notifications go, or {@code null}: log and count only
     * @param maxBytes       the size past which the file rotates
     * @param maxFiles       rotated files kept ({@code <file>.1} ... {@code <file>.<maxFiles>})
     */
    public NotificationLosses(TalonCounters counters, Path deadLetterFile, long maxBytes, int maxFiles,
                              Tracing tracing) {
        this.counters = counters;
        this.deadLetterFile = deadLetterFile;
        this.maxBytes = maxBytes;
        this.maxFiles = maxFiles;
        this.tracing = tracing;
    }

    /** Called before each redelivery ({@code onRedeliveryRef}). */
    @Override
    public void process(Exchange exchange) {
        String notifier = notifier(exchange);
        Integer attempt = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, Integer.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        counters.increment("notification_retries", "notifier", notifier);
        tracing.notificationRetry(exchange, attempt == null ? 0 : attempt);
        LOG.warn("notifier '{}' failed ({}); retry {} for rule='{}' action='{}'", notifier, Secrets.describe(cause),
                attempt, exchange.getMessage().getHeader(TalonHeaders.RULE),
                exchange.getMessage().getHeader(TalonHeaders.ACTION));
    }

    /** A notification that failed after every retry. */
    public void deadLetter(Exchange exchange) {
        String notifier = notifier(exchange);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        counters.increment("notifications_lost", "notifier", notifier, "reason", "failed");
        counters.increment("notifications", "notifier", notifier, "status", "failed");
        UpstreamMetrics.notification(counters.registry(), exchange.getMessage().getBody(), notifier, false);
        LOG.error("notification to '{}' lost after its retries ({}): {}", notifier, Secrets.describe(cause),
                summary(exchange));
        tracing.notificationDone(exchange, "failed", Secrets.describe(cause));
        writeDeadLetter(exchange, notifier, "failed");
    }

    /**
     * The step after the notifier route in the notifier queue route: reached only when the notification went
     * through (a failure goes to the dead letter instead).
     */
    public void delivered(Exchange exchange) {
        counters.increment("notifications", "notifier", notifier(exchange), "status", "sent");
        UpstreamMetrics.notification(counters.registry(), exchange.getMessage().getBody(), notifier(exchange), true);
        tracing.notificationDone(exchange, "sent", null);
    }

    /** A notifier's queue was full: this notification to that notifier is dropped (the others still get it). */
    public void queueFull(Exchange exchange, String notifier, Throwable cause) {
        counters.increment("notifications_lost", "notifier", notifier, "reason", "queue_full");
        counters.increment("notifications", "notifier", notifier, "status", "dropped");
        UpstreamMetrics.notification(counters.registry(), exchange.getMessage().getBody(), notifier, false);
        long notLogged = dropLines.admit(notifier);
        if (notLogged >= 0) {
            LOG.error("notification to '{}' dropped, its queue is full ({}): {}{}", notifier, Secrets.describe(cause),
                    summary(exchange), notLogged == 0 ? ""
                            : " (and " + notLogged + " more since the previous line, counted, not logged)");
        }
        tracing.notificationDropped(exchange, notifier);
        writeDeadLetter(exchange, notifier, "queue_full");
    }

    /** {@code file} → {@code file.1} → ... → {@code file.<maxFiles>}, which is dropped. */
    private void rotate() throws IOException {
        counters.increment("dead_letter_rotations");
        Files.deleteIfExists(rotated(maxFiles));
        for (int i = maxFiles - 1; i >= 1; i--) {
            if (Files.exists(rotated(i))) {
                Files.move(rotated(i), rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (maxFiles >= 1) {
            Files.move(deadLetterFile, rotated(1), StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.delete(deadLetterFile);
        }
    }

    private Path rotated(int i) {
        return deadLetterFile.resolveSibling(deadLetterFile.getFileName() + "." + i);
    }

    private static String notifier(Exchange exchange) {
        return exchange.getProperty(TalonHeaders.NOTIFIER, "?", String.class);
    }

    private static String summary(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        if (body instanceof ActionResult r) {
            return "rule='" + r.getRule() + "' action='" + r.getAction() + "' status=" + r.getStatus()
                    + " trace_id=" + r.getTraceId();
        }
        return "trace_id=" + exchange.getMessage().getHeader(TalonHeaders.TRACE_ID);
    }

    private synchronized void writeDeadLetter(Exchange exchange, String notifier, String reason) {
        if (deadLetterFile == null) {
            return;
        }
        Object body = exchange.getMessage().getBody();
        String json = body instanceof ActionResult r ? r.getJson() : "null";
        String line = "{\"notifier\":\"" + notifier + "\",\"reason\":\"" + reason + "\",\"result\":" + json + "}\n";
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        try {
            if (Files.exists(deadLetterFile) && Files.size(deadLetterFile) + bytes.length > maxBytes) {
                rotate();
            }
            Files.write(deadLetterFile, bytes, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.error("cannot write the dead-letter file {}: {}", deadLetterFile, e.getMessage());
        }
    }
}
