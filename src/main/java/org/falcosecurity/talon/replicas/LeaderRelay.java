package org.falcosecurity.talon.replicas;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.falcosecurity.talon.contract.TalonHeaders;
import org.falcosecurity.talon.intake.EventIntake;
import org.falcosecurity.talon.intake.IntakeException;
import org.falcosecurity.talon.ops.TalonCounters;
import org.falcosecurity.talon.telemetry.RelaySpan;
import org.falcosecurity.talon.telemetry.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Where an event goes when several replicas share the work over HTTP ({@code routes/replicas.camel.yaml},
 * {@code routes/intake.camel.yaml}): to this replica's worker queues when it leads (or when leader election is off),
 * else to a relay queue whose consumer forwards it to the leader. A follower answers the sender {@code 200} as soon
 * as the event is in its relay queue (bounded by {@code queue_size}; full: {@code 503} with {@code Retry-After}), so
 * events accepted while no replica leads wait there and go to the next leader; a replica that stops leading with
 * events still queued hands them back to its relay queue instead of acting on them.
 *
 * <p>Forwarding is a POST of the event as received to the URL the leader advertises in the Lease, with the intake
 * token, the trace id the sender was given ({@link EventIntake#RELAYED_TRACE_ID}), {@code traceparent} when tracing
 * is on, and {@link EventIntake#RELAYED_BY}. A replica that receives a forwarded event while it does not lead answers
 * {@code 503} (never forwards it again: no loops between two replicas with different views of the Lease).
 */
public class LeaderRelay implements Processor {

    /** Exchange property: {@link #LOCAL} or {@link #RELAY}. */
    public static final String PROP_PLACEMENT = "TalonPlacement";
    public static final String LOCAL = "local";
    public static final String RELAY = "relay";

    private static final Logger LOG = LoggerFactory.getLogger("falco-talon.replicas");
    private static final java.util.regex.Pattern ERROR = java.util.regex.Pattern.compile("\"error\":\"([a-z_]{1,40})\"");

    private final Leadership leadership;
    private final HttpClient http;
    private final Duration timeout;
    private final String authorization;
    private final TalonCounters counters;
    private final Tracing tracing;
    private volatile long lastRetryLog;

    /**
     * @param leadership the election, or {@code null} when this replica acts alone (no leader election)
     */
    public LeaderRelay(Leadership leadership, HttpClient http, Duration timeout, String authToken,
                       TalonCounters counters, Tracing tracing) {
        this.leadership = leadership;
        this.http = http;
        this.timeout = timeout;
        this.authorization = authToken == null || authToken.isEmpty() ? null : "Bearer " + authToken;
        this.counters = counters;
        this.tracing = tracing;
    }

    /** Whether this replica elects a leader with the others. */
    public boolean electing() {
        return leadership != null;
    }

    /** Whether this replica may act now: it leads, or it acts alone. */
    public boolean acting() {
        return leadership == null || leadership.leading();
    }

    /**
     * The intake's choice for a matched event, as {@link #PROP_PLACEMENT}: {@link #LOCAL} (this replica acts) or {@link #RELAY} (to the leader).
     * An event another replica forwarded is refused with {@code 503} unless this replica leads.
     */
    public void place(Exchange exchange) throws IntakeException {
        // void: a bean step's return value would replace the body (the event a follower forwards)
        String placement = acting() ? LOCAL : RELAY;
        if (RELAY.equals(placement) && exchange.getProperty(EventIntake.PROP_RELAYED_BY) != null) {
            throw new IntakeException(503, "not_leader", "this replica does not lead; retry later", null, 1);
        }
        exchange.setProperty(PROP_PLACEMENT, placement);
    }

    /** A worker's check before it processes an event: true when this replica no longer leads (hand it back). */
    public boolean handBack(Exchange exchange) {
        if (acting()) {
            return false;
        }
        counters.increment("relay_events", "direction", "handed_back");
        return true;
    }

    /** The relay queue is full: {@code 503} with {@code Retry-After}, the event is not accepted. */
    public void bufferFull(Exchange exchange) throws IntakeException {
        counters.increment("relay_events", "direction", "refused_buffer_full");
        throw new IntakeException(503, "no_leader", "no leader can take the event now and this replica's buffer is"
                + " full; retry later", null, 1);
    }

    /** Before each retry of a forward ({@code onRedeliveryRef}): why, at most every 10 s. */
    @Override
    public void process(Exchange exchange) {
        counters.increment("relay_events", "direction", "retried");
        long now = System.nanoTime();
        if (now - lastRetryLog > 10_000_000_000L) {
            lastRetryLog = now;
            Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
            LOG.warn("events wait for a leader ({}); retrying", cause == null ? "?" : cause.getMessage());
        }
    }

    /** A forward given up (shutdown outlasted its timeout): the event is lost, counted and logged. */
    public void lost(Exchange exchange) {
        counters.increment("relay_events", "direction", "lost");
        MDC.put("trace_id", exchange.getProperty(TalonHeaders.TRACE_ID, String.class));
        try {
            LOG.error("an event waiting for a leader is lost: this replica stopped before any leader took it");
        } finally {
            MDC.remove("trace_id");
        }
    }

    /**
     * The relay route's step: marks the event {@link #LOCAL} when this replica leads now, else forwards it to the
     * leader; throws {@link LeaderUnavailable} (the route retries) when no leader takes it.
     */
    public void forward(Exchange exchange) throws LeaderUnavailable, InterruptedException {
        if (acting()) {
            exchange.setProperty(PROP_PLACEMENT, LOCAL);
            return;
        }
        exchange.setProperty(PROP_PLACEMENT, RELAY);
        String url = leadership.leaderUrl();
        if (url == null) {
            throw new LeaderUnavailable("no leader known");
        }
        String traceId = exchange.getProperty(TalonHeaders.TRACE_ID, String.class);
        RelaySpan span = tracing.relay(exchange, leadership.leader());
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url + "/")).timeout(timeout)
                .header("Content-Type", "application/json")
                .header(EventIntake.RELAYED_BY, leadership.identity().name())
                .header(EventIntake.RELAYED_TRACE_ID, traceId)
                .POST(HttpRequest.BodyPublishers.ofByteArray(exchange.getMessage().getBody(byte[].class)));
        if (authorization != null) {
            req.header("Authorization", authorization);
        }
        if (span.traceparent() != null) {
            req.header("traceparent", span.traceparent());
        }
        int status;
        String answer;
        try {
            HttpResponse<String> response = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            status = response.statusCode();
            answer = response.body();
        } catch (IOException e) {
            span.end(0);
            throw new LeaderUnavailable("the leader at " + url + " is unreachable: " + e.getClass().getSimpleName());
        }
        span.end(status);
        if (status == 200) {
            counters.increment("relay_events", "direction", "forwarded");
            return;
        }
        if (status == 400 || status == 413) {
            // the leader will never take it (another version, other limits): retrying would block the queue
            counters.increment("relay_events", "direction", "refused_by_leader");
            MDC.put("trace_id", traceId);
            try {
                LOG.error("the leader refused a forwarded event with {} ({}): dropped", status, errorOf(answer));
            } finally {
                MDC.remove("trace_id");
            }
            return;
        }
        throw new LeaderUnavailable("the leader at " + url + " answered " + status);
    }

    /** The {@code error} token of a Talon error answer (a fixed word, never event text), or {@code ?}. */
    private static String errorOf(String answer) {
        java.util.regex.Matcher m = ERROR.matcher(answer == null ? "" : answer);
        return m.find() ? m.group(1) : "?";
    }
}
