package org.falcosecurity.talon.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.contract.ResultListener;
import org.falcosecurity.talon.contract.TalonHeaders;
import org.falcosecurity.talon.delivery.NotifierQueues;
import org.falcosecurity.talon.ops.TalonCounters;
import org.falcosecurity.talon.rules.Action;
import org.falcosecurity.talon.rules.Durations;
import org.falcosecurity.talon.rules.Event;
import org.falcosecurity.talon.rules.RuleMatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The audit trail: one {@link AuditRecord} per decision — an event received, a rule matched, an action planned,
 * its result (dry-run, succeeded, failed, ignored), an event suppressed as a duplicate, an action refused by a guard,
 * a change reverted — written as JSON Lines to {@code audit.file} (rotated by size) and, with
 * {@code audit.notifiers}, sent to those notifiers as result records ({@code status} = the kind).
 *
 * <p>It never holds up the intake or a worker: a decision is offered to a bounded queue and a writer thread does the
 * rest; when the queue is full the record is dropped and counted ({@code falco_talon_audit_records_dropped}).
 */
public final class AuditTrail implements ResultListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("falco-talon.audit");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_REASON = 2000;
    private static final AuditRecord STOP = new AuditRecord("", "", "", "", "", "", "", Map.of(), "");

    private final Path file;
    private final long maxFileBytes;
    private final int maxFiles;
    private final List<String> notifiers;
    private final String duplicateReason;
    private final TalonCounters counters;
    private final BlockingQueue<AuditRecord> queue;
    /** The refusal just recorded on this thread: its result, which the listener then sees, is not recorded twice. */
    private final ThreadLocal<ActionResult> refusedHere = new ThreadLocal<>();
    private volatile ProducerTemplate template;
    private volatile List<String> notifierQueues = List.of();
    private Thread writer;

    /**
     * @param file            the JSON Lines file, or {@code null} for none
     * @param notifiers       the notifiers that also get every record
     * @param duplicateReason what a suppressed duplicate's record says (the deduplication window)
     */
    public AuditTrail(Path file, long maxFileBytes, int maxFiles, int queueSize, List<String> notifiers,
                      String duplicateReason, TalonCounters counters) {
        this.file = file;
        this.maxFileBytes = maxFileBytes;
        this.maxFiles = maxFiles;
        this.notifiers = List.copyOf(notifiers);
        this.duplicateReason = duplicateReason;
        this.counters = counters;
        this.queue = new ArrayBlockingQueue<>(Math.max(1, queueSize));
    }

    /** A trail that records nothing. */
    public static AuditTrail off(TalonCounters counters) {
        return new AuditTrail(null, 1, 0, 1, List.of(), "", counters);
    }

    public boolean enabled() {
        return file != null || !notifiers.isEmpty();
    }

    public List<String> notifiers() {
        return notifiers;
    }

    /** Starts the writer; notifier records go through {@code context}'s notifier queues. */
    public synchronized void start(CamelContext context) {
        if (!enabled() || writer != null) {
            return;
        }
        if (!notifiers.isEmpty()) {
            template = context.createProducerTemplate();
            notifierQueues = notifiers.stream().map(NotifierQueues::queueEndpoint).toList();
        }
        writer = new Thread(this::drain, "falco-talon-audit");
        writer.setDaemon(true);
        writer.start();
    }

    // ------------------------------------------------------------------ decisions

    /** An event the intake accepted, the rules it matched and the actions they plan. */
    public void received(Event e, String traceId, List<RuleMatch> plan) {
        if (!enabled()) {
            return;
        }
        Map<String, String> objects = objects(e);
        offer(record(AuditRecord.RECEIVED, traceId, e.rule(), null, null, null, objects, plan.isEmpty()
                ? "no Talon rule matched" : "matched " + plan.size() + " rule(s)"));
        for (RuleMatch m : plan) {
            offer(record(AuditRecord.MATCHED, traceId, e.rule(), m.rule().name(), null, null, objects,
                    m.dryRun() ? "dry run: actions are reported, not run" : null));
            for (Action a : m.actions()) {
                offer(record(AuditRecord.PLANNED, traceId, e.rule(), m.rule().name(), a.name(), a.actionner(),
                        objects, a.ttl() == null ? null : "reverted after ttl " + Durations.format(a.ttl())));
            }
        }
    }

    /** Bean method of the process route: an event dropped as a duplicate inside the deduplication window. */
    public void suppressed(Exchange exchange) {
        Event e = exchange.getProperty(TalonHeaders.PROP_EVENT, Event.class);
        if (!enabled() || e == null) {
            return;
        }
        offer(record(AuditRecord.SUPPRESSED, exchange.getProperty(TalonHeaders.TRACE_ID, String.class), e.rule(),
                null, null, null, objects(e), duplicateReason));
    }

    /**
     * An action a guard refused (the blast-radius limits; provenance, protected objects): recorded as
     * {@code refused} with the guard's reason, instead of the {@code ignored} result it becomes for notifiers.
     */
    public void refused(ActionResult r, String guard) {
        if (!enabled()) {
            return;
        }
        refusedHere.set(r);
        // the guard's reason is the result's output (the blast-radius guard also makes it the message)
        String why = r.getOutput().isEmpty() ? r.getMessage() : r.getOutput();
        offer(fromResult(AuditRecord.REFUSED, r, why.startsWith(guard + ":") ? why : guard + ": " + why));
    }

    @Override
    public void onResult(ActionResult r, Event event, long receivedNanos) {
        if (!enabled()) {
            return;
        }
        if (refusedHere.get() == r) {
            refusedHere.remove();
            return;
        }
        String kind = switch (r.getStatus()) {
            case ActionResult.SUCCESS -> AuditRecord.SUCCEEDED;
            case ActionResult.FAILURE -> AuditRecord.FAILED;
            case ActionResult.IGNORED -> AuditRecord.IGNORED;
            case ActionResult.DRY_RUN -> AuditRecord.DRY_RUN;
            case ActionResult.REVERTED -> AuditRecord.REVERTED;
            default -> r.getStatus();
        };
        String reason = r.getError().isEmpty() ? r.getMessage() : r.getError();
        offer(fromResult(kind, r, reason));
    }

    /** A revert Talon could not complete (it is retried). */
    public void revertFailed(ActionResult r) {
        if (enabled()) {
            offer(fromResult(AuditRecord.REVERT_FAILED, r, r.getError()));
        }
    }

    // ------------------------------------------------------------------ the queue and the writer

    private void offer(AuditRecord r) {
        if (!queue.offer(r)) {
            counters.increment("audit_records_dropped");
        }
    }

    private void drain() {
        AuditFile out = null;
        if (file != null) {
            try {
                out = new AuditFile(file, maxFileBytes, maxFiles);
            } catch (IOException e) {
                LOG.error("cannot open the audit file {}: {}; audit records go to notifiers only", file,
                        e.getMessage());
            }
        }
        try {
            while (true) {
                AuditRecord r = queue.poll(1, TimeUnit.SECONDS);
                if (r == null) {
                    continue;
                }
                if (r == STOP) {
                    break;
                }
                write(out, r);
                if (queue.isEmpty() && out != null) {
                    out.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.error("cannot write the audit file {}: {}", file, e.getMessage());
        } finally {
            if (out != null) {
                try {
                    out.close();
                } catch (IOException e) {
                    LOG.warn("cannot close the audit file {}: {}", file, e.getMessage());
                }
            }
        }
    }

    private void write(AuditFile out, AuditRecord r) throws IOException {
        if (out != null) {
            out.write(json(r));
            counters.increment("audit_records_written");
        }
        ProducerTemplate t = template;
        for (String q : notifierQueues) {
            if (NotifierQueues.offer(t, q, asResult(r)) != null) {
                counters.increment("audit_notifications_dropped", "notifier", NotifierQueues.notifierOf(q));
            }
        }
    }

    /** Writes what is queued, then stops the writer (at most a few seconds). */
    @Override
    public synchronized void close() {
        if (writer == null) {
            return;
        }
        try {
            if (!queue.offer(STOP, 2, TimeUnit.SECONDS)) {
                writer.interrupt();
            }
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer = null;
        if (template != null) {
            try {
                template.close();
            } catch (IOException | RuntimeException e) {
                LOG.debug("closing the audit producer: {}", e.getMessage());
            }
        }
    }

    // ------------------------------------------------------------------ records

    static String json(AuditRecord r) {
        try {
            return JSON.writeValueAsString(r);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The record as the result record notifiers take: {@code status} is the kind, {@code message} the reason. */
    static ActionResult asResult(AuditRecord r) {
        return new ActionResult(Instant.parse(r.time()), r.traceId(), r.kind(), nz(r.rule()), nz(r.action()),
                nz(r.actionner()), nz(r.reason()), "", "", "", nz(r.falcoRule()), "", "", "", r.objects());
    }

    private static AuditRecord fromResult(String kind, ActionResult r, String reason) {
        return new AuditRecord(r.getTimeText(), kind, r.getTraceId(), r.getFalcoRule(), r.getRule(), r.getAction(),
                r.getActionner(), r.getObjects(), bound(reason));
    }

    private static AuditRecord record(String kind, String traceId, String falcoRule, String rule, String action,
                                      String actionner, Map<String, String> objects, String reason) {
        return new AuditRecord(Instant.now().toString(), kind, traceId, falcoRule, rule, action, actionner, objects,
                bound(reason));
    }

    private static Map<String, String> objects(Event e) {
        Map<String, String> o = new LinkedHashMap<>();
        if (e.podName() != null) {
            o.put("pod", e.podName());
        }
        if (e.namespace() != null) {
            o.put("namespace", e.namespace());
        }
        if (e.podName() == null && !e.hostname().isEmpty()) {
            o.put("host", e.hostname());
        }
        return o;
    }

    private static String bound(String s) {
        return s == null || s.length() <= MAX_REASON ? s : s.substring(0, MAX_REASON - 3) + "...";
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
