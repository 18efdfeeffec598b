package org.falcosecurity.talon.intake;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.falcosecurity.talon.audit.AuditTrail;
import org.falcosecurity.talon.contract.TalonHeaders;
import org.falcosecurity.talon.ops.TalonCounters;
import org.falcosecurity.talon.ops.UpstreamMetrics;
import org.falcosecurity.talon.rules.BadEventException;
import org.falcosecurity.talon.rules.Event;
import org.falcosecurity.talon.rules.EventParser;
import org.falcosecurity.talon.rules.RuleEngine;
import org.falcosecurity.talon.rules.RuleMatch;
import org.falcosecurity.talon.rules.TraceIds;
import org.falcosecurity.talon.telemetry.TraceContexts;
import org.falcosecurity.talon.telemetry.Tracing;
import io.opentelemetry.api.trace.SpanContext;
import io.vertx.core.buffer.Buffer;
import org.apache.camel.Message;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.util.List;

/**
 * The intake's logic, called from {@code routes/intake.camel.yaml}: checks the request, turns the body into an
 * {@link Event}, plans its actions and picks the worker queue; then builds the answer.
 */
public class EventIntake implements Processor {

    /** Set by a replica that forwards an event to the leader: its name (replicas/LeaderRelay). */
    public static final String RELAYED_BY = "Falco-Talon-Relayed-By";
    /** Set by a replica that forwards an event: the trace id it answered the sender with. */
    public static final String RELAYED_TRACE_ID = "Falco-Talon-Trace-Id";
    /** Exchange property: the replica that forwarded this event (absent when the sender posted it here). */
    public static final String PROP_RELAYED_BY = "TalonRelayedBy";
    private static final java.util.regex.Pattern REPLICA_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,253}");

    private static final Logger EVENTS = LoggerFactory.getLogger("falco-talon.events");

    private final EventParser parser;
    private final RuleEngine engine;
    private final int workers;
    private final boolean printAllEvents;
    private final IntakeToken token;
    private final TalonCounters counters;
    private final Tracing tracing;
    private AuditTrail audit;

    /**
     * @param authToken the token senders must present ({@link IntakeToken}: Bearer, or Basic with it as the password),
     *                  or empty for an open intake
     */
    public EventIntake(RuleEngine engine, int workers, boolean printAllEvents, int maxBodyBytes, String authToken,
                       TalonCounters counters, Tracing tracing) {
        this.parser = new EventParser(maxBodyBytes);
        this.engine = engine;
        this.workers = workers;
        this.printAllEvents = printAllEvents;
        this.token = IntakeToken.of(authToken);
        this.counters = counters;
        this.tracing = tracing;
    }

    /** Where the intake records each event it accepts, with its plan (set before the routes start). */
    public void auditTrail(AuditTrail trail) {
        this.audit = trail;
    }

    /** The intake route's first step ({@code process: ref: eventIntake}): {@link #accept}. */
    @Override
    public void process(Exchange exchange) throws IntakeException {
        accept(exchange);
    }

    /** The intake route's last step ({@code process: ref: eventIntakeAnswer}): {@link #respond} as the body. */
    public Processor answer() {
        return exchange -> exchange.getMessage().setBody(respond(exchange));
    }

    /** Validates and parses the request; sets the event, its plan and its worker partition as exchange properties. */
    public void accept(Exchange exchange) throws IntakeException {
        authenticate(exchange);
        String method = exchange.getMessage().getHeader(Exchange.HTTP_METHOD, String.class);
        if (method != null && !"POST".equalsIgnoreCase(method)) {
            throw new IntakeException(400, "method_not_allowed",
                    "use POST to send a Falco event (got " + sanitize(method) + ")", null);
        }
        byte[] body = bodyBytes(exchange.getMessage());
        // read once: the bytes stay the body (a follower forwards them to the leader as received)
        exchange.getMessage().setBody(body);
        String contentType = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, "", String.class);
        if ((body == null || body.length == 0) && (contentType.startsWith("application/x-www-form-urlencoded")
                || contentType.startsWith("multipart/form-data"))) {
            throw new IntakeException(400, "bad_content_type", "the body was sent as a form ("
                    + contentType.split(";")[0] + "); send the Falco event as JSON with"
                    + " 'Content-Type: application/json'", null);
        }
        Event event;
        try {
            event = parser.parse(body);
        } catch (BadEventException e) {
            throw new IntakeException(400, "bad_event", e.getMessage(), e.field());
        }
        // a valid W3C traceparent names the trace the event belongs to: its trace id becomes the event's (a replica
        // forwarding the event says which one it gave the sender)
        SpanContext parent = TraceContexts.parent(exchange.getMessage().getHeader("traceparent", String.class));
        String relayed = relayedTraceId(exchange);
        admit(exchange, event, relayed != null ? relayed : parent != null ? parent.getTraceId() : null, parent);
    }

    /**
     * The request body as bytes. platform-http-vertx hands a Vert.x {@link Buffer}: its bytes are taken directly (the
     * type converters would go through an InputStream and a copy loop, 8 % of the intake's CPU); anything else (a
     * relayed or test exchange) through Camel's converters.
     */
    private static byte[] bodyBytes(Message message) {
        return message.getBody() instanceof Buffer b ? b.getBytes() : message.getBody(byte[].class);
    }

    /**
     * An event another replica forwarded keeps the trace id that replica answered with; the forwarding replica's
     * name must be a replica name (it only ever reaches logs and counters of this replica).
     */
    private static String relayedTraceId(Exchange exchange) {
        String by = exchange.getMessage().getHeader(RELAYED_BY, String.class);
        if (by == null) {
            return null;
        }
        exchange.setProperty(PROP_RELAYED_BY, REPLICA_NAME.matcher(by).matches() ? by : "?");
        String trace = exchange.getMessage().getHeader(RELAYED_TRACE_ID, String.class);
        return TraceIds.acceptable(trace) ? trace : null;
    }

    /** Whether requests must carry the token (auth.token or auth.token_file is set). */
    public boolean requiresToken() {
        return token.required();
    }

    /** Checks the token of a request to another endpoint than the intake's (POST /undo); 401 when it is wrong. */
    public void checkToken(Exchange exchange) throws IntakeException {
        authenticate(exchange);
    }

    /** Checks the token in constant time; the answer never says more than "unauthorized". */
    private void authenticate(Exchange exchange) throws IntakeException {
        if (!token.accepts(exchange.getMessage().getHeader("Authorization", String.class))) {
            throw new IntakeException(401, "unauthorized", "unauthorized", null);
        }
    }

    /** Plans an already parsed event and sets the exchange properties the workers read. */
    public void admit(Exchange exchange, Event event) {
        admit(exchange, event, null, null);
    }

    private void admit(Exchange exchange, Event event, String givenTraceId, SpanContext parent) {
        String traceId = givenTraceId != null ? givenTraceId : TraceIds.of(event);
        List<RuleMatch> plan = engine.plan(event);
        exchange.setProperty(TalonHeaders.PROP_EVENT, event);
        exchange.setProperty(TalonHeaders.PROP_PLAN, plan);
        exchange.setProperty(TalonHeaders.PROP_MATCHED, !plan.isEmpty());
        exchange.setProperty(TalonHeaders.TRACE_ID, traceId);
        exchange.setProperty(TalonHeaders.PROP_PARTITION, partition(event, workers));
        exchange.setProperty(TalonHeaders.PROP_RECEIVED_NANOS, System.nanoTime());
        tracing.received(exchange, "event", event, traceId, parent, exchange.getProperty(PROP_RELAYED_BY, String.class));
        tracing.planned(exchange, plan);
        if (exchange.getProperty(PROP_RELAYED_BY) != null) {
            // counted and logged by the replica that received it
            counters.increment("relay_events", "direction", "received");
            return;
        }
        // Talon's own labels come from bounded sets only: the parsed priority and the operator's rule names
        counters.increment("events_received", "priority", event.priority().displayName());
        // upstream's names too: their event-derived labels are bounded by UpstreamMetrics
        UpstreamMetrics.event(counters.registry(), event);
        for (RuleMatch m : plan) {
            counters.increment("events_matched", "rule", m.rule().name());
            UpstreamMetrics.match(counters.registry(), event, m.rule());
        }
        if (printAllEvents || !plan.isEmpty()) {
            logEvent(event, plan, traceId);
        }
        if (audit != null) {
            audit.received(event, traceId, plan);
        }
    }

    /** The 200 answer: the trace id and the rules that matched. */
    public String respond(Exchange exchange) {
        // written directly (no JSON tree per request); the trace id and rule names are JSON-escaped
        StringBuilder n = new StringBuilder(96).append("{\"status\":\"accepted\",\"trace_id\":");
        quoted(n, exchange.getProperty(TalonHeaders.TRACE_ID, String.class)).append(",\"matched_rules\":[");
        @SuppressWarnings("unchecked")
        List<RuleMatch> plan = exchange.getProperty(TalonHeaders.PROP_PLAN, List.class);
        if (plan != null) {
            for (int i = 0; i < plan.size(); i++) {
                quoted(i == 0 ? n : n.append(','), plan.get(i).rule().name());
            }
        }
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        return n.append("]}").toString();
    }

    private static StringBuilder quoted(StringBuilder sb, String s) {
        if (s == null) {
            return sb.append("null");
        }
        sb.append('"');
        JsonStringEncoder.getInstance().quoteAsString(s, sb);
        return sb.append('"');
    }

    /**
     * The worker an event goes to: events of one pod (else one host) always share a worker, so actions on a pod
     * never run concurrently and keep their order.
     */
    static int partition(Event event, int workers) {
        return Math.floorMod(event.podKey().hashCode(), workers);
    }

    private static void logEvent(Event event, List<RuleMatch> plan, String traceId) {
        if (!EVENTS.isInfoEnabled()) {
            return; // nothing built for a line that is not written
        }
        MDC.put("trace_id", traceId);
        MDC.put("falco_rule", event.rule());
        try {
            if (plan.isEmpty()) {
                EVENTS.info("event received: rule='{}' priority={} source={} pod={} (no Talon rule matched)",
                        event.rule(), event.priority(), event.source(), podRef(event));
            } else {
                EVENTS.info("event received: rule='{}' priority={} source={} pod={} matched={}", event.rule(),
                        event.priority(), event.source(), podRef(event),
                        plan.stream().map(m -> m.rule().name() + (m.dryRun() ? " (dry-run)" : "")).toList());
            }
        } finally {
            MDC.remove("trace_id");
            MDC.remove("falco_rule");
        }
    }

    private static String podRef(Event e) {
        return e.podName() == null ? "-" : e.namespace() + "/" + e.podName();
    }

    private static String sanitize(String s) {
        String t = s.replaceAll("[^A-Za-z0-9_-]", "?");
        return t.length() > 16 ? t.substring(0, 16) : t;
    }
}
