package org.falcosecurity.talon.dispatch;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.falcosecurity.talon.audit.AuditTrail;
import org.falcosecurity.talon.catalog.Catalog;
import org.falcosecurity.talon.config.Secrets;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.contract.ResultListener;
import org.falcosecurity.talon.contract.TalonHeaders;
import org.falcosecurity.talon.delivery.NotifierQueues;
import org.falcosecurity.talon.rules.Action;
import org.falcosecurity.talon.rules.Event;
import org.falcosecurity.talon.rules.RuleMatch;
import org.falcosecurity.talon.telemetry.Tracing;
import io.opentelemetry.api.trace.SpanContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The dynamic router of {@code routes/dispatch.camel.yaml}. Called again after every step, it sends each planned
 * action to {@code direct:talon-action} (which calls the actionner route), then the action's result to
 * {@code direct:talon-notify} (which fans it out to the notifier queues), then the next action, and returns
 * {@code null} when the plan is done.
 *
 * <p>Runtime semantics: actions of a rule run in order; a {@code failure} stops the rule's remaining actions unless
 * the failed action has {@code ignore_errors: true}. Dry-run actions are not routed: their result ({@code dry-run})
 * goes straight to the notifiers.
 *
 * <p>Camel evaluates a dynamic router's expression on a copy of the exchange, so {@link #next} only updates the
 * {@link State} object the copies share; the routes it points to start with {@link #prepareAction} or
 * {@link #prepareNotification}, which set the body and headers.
 */
public class ActionRouter {

    public static final String ACTION_ENDPOINT = "direct:talon-action";
    public static final String NOTIFY_ENDPOINT = "direct:talon-notify";
    /** Exchange property holding the actionner route's endpoint, built from the validated actionner name only. */
    public static final String PROP_ACTIONNER_ENDPOINT = "TalonActionnerEndpoint";

    private static final Logger RESULTS = LoggerFactory.getLogger("falco-talon.results");

    private final List<String> defaultNotifiers;
    private final Supplier<Catalog> catalog;
    private final ResultListener listener;
    private final BlastRadius guard;
    private final Tracing tracing;
    private AuditTrail audit;

    public ActionRouter(List<String> defaultNotifiers, Supplier<Catalog> catalog, ResultListener listener,
                        BlastRadius guard, Tracing tracing) {
        this.defaultNotifiers = List.copyOf(defaultNotifiers);
        this.catalog = catalog;
        this.listener = listener;
        this.guard = guard;
        this.tracing = tracing;
    }

    /** Where refusals are recorded as such (set before the routes start). */
    public void auditTrail(AuditTrail trail) {
        this.audit = trail;
    }

    /** Per-event routing state, kept as an exchange property (the same object in every copy of the exchange). */
    static final class State {
        final List<Step> steps = new ArrayList<>();
        final Set<Integer> abortedRules = new HashSet<>();
        int next;
        /** The action sent to its actionner, whose result is read on the next call. */
        Step awaiting;
        /** The result the notify route is about to fan out, and to which queues. */
        ActionResult pendingResult;
        String pendingQueues;
        /** The span of the pending result's action: its notifications' parent (null without tracing). */
        SpanContext pendingSpan;
        final List<ActionResult> results = new ArrayList<>();
    }

    record Step(int ruleIndex, RuleMatch match, Action action) {
    }

    /** First step of the process route: lays out the plan as a list of steps. */
    public void start(Exchange exchange) {
        State st = new State();
        @SuppressWarnings("unchecked")
        List<RuleMatch> plan = exchange.getProperty(TalonHeaders.PROP_PLAN, List.class);
        if (plan != null) {
            for (int r = 0; r < plan.size(); r++) {
                for (Action a : plan.get(r).actions()) {
                    st.steps.add(new Step(r, plan.get(r), a));
                }
            }
        }
        exchange.setProperty(TalonHeaders.PROP_ROUTER_STATE, st);
    }

    /** The next endpoint for this exchange, or {@code null} when every planned action and notification is done. */
    public String next(Exchange exchange) {
        State st = exchange.getProperty(TalonHeaders.PROP_ROUTER_STATE, State.class);
        if (st == null) {
            return null;
        }
        Event event = exchange.getProperty(TalonHeaders.PROP_EVENT, Event.class);
        if (st.awaiting != null) {
            Step done = st.awaiting;
            st.awaiting = null;
            ActionResult result = ActionResults.collect(exchange, done, event);
            String refusedBy = exchange.getMessage().getHeader(TalonHeaders.REFUSED_BY, "", String.class);
            if (audit != null && !refusedBy.isEmpty() && ActionResult.IGNORED.equals(result.getStatus())) {
                // event provenance or a protected object (KubernetesTarget and the actionners' checks)
                audit.refused(result, refusedBy);
            }
            if (ActionResult.FAILURE.equals(result.getStatus()) && !done.action().ignoreErrors()) {
                st.abortedRules.add(done.ruleIndex());
            }
            st.pendingSpan = tracing.actionDone(exchange, result);
            if (deliver(exchange, st, done, event, result)) {
                return NOTIFY_ENDPOINT;
            }
        }
        while (st.next < st.steps.size()) {
            Step s = st.steps.get(st.next++);
            if (st.abortedRules.contains(s.ruleIndex())) {
                continue;
            }
            if (s.match().dryRun()) {
                ActionResult r = ActionResults.of(exchange, s, event, ActionResult.DRY_RUN,
                        "would run " + s.action().actionner() + " with " + masked(s.action()),
                        "", null, ActionResults.defaultObjects(event));
                if (notRun(exchange, st, s, event, r)) {
                    return NOTIFY_ENDPOINT;
                }
                continue;
            }
            ActionResult refused = blastRadius(exchange, s, event);
            if (refused != null) {
                if (ActionResult.FAILURE.equals(refused.getStatus()) && !s.action().ignoreErrors()) {
                    st.abortedRules.add(s.ruleIndex());
                }
                if (audit != null) {
                    audit.refused(refused, "blast radius");
                }
                if (notRun(exchange, st, s, event, refused)) {
                    return NOTIFY_ENDPOINT;
                }
                continue;
            }
            st.awaiting = s;
            return ACTION_ENDPOINT;
        }
        return null;
    }

    /**
     * The blast-radius check of a guarded action: {@code null} when it may run, an {@code ignored} result over a
     * limit, a {@code failure} when the shared counters cannot be reached (fail closed: the action does not run).
     */
    private ActionResult blastRadius(Exchange exchange, Step s, Event event) {
        if (guard == null) {
            return null;
        }
        try {
            String limited = guard.tryAcquire(s.match().rule().name(), s.action().actionner(), event);
            return limited == null ? null : ActionResults.of(exchange, s, event, ActionResult.IGNORED, limited, limited, null,
                    ActionResults.defaultObjects(event));
        } catch (BlastRadius.Unavailable e) {
            String error = "blast-radius limits cannot be checked (" + e.getMessage() + "): the guarded action does"
                    + " not run";
            return ActionResults.of(exchange, s, event, ActionResult.FAILURE, null, "", error, ActionResults.defaultObjects(event));
        }
    }

    /** A result the dispatcher made without running the action (its span too). */
    private boolean notRun(Exchange exchange, State st, Step s, Event event, ActionResult r) {
        st.pendingSpan = tracing.actionNotRun(exchange, s.ruleIndex(), s.action(), r);
        return deliver(exchange, st, s, event, r);
    }

    /** The action's parameters with its declared secrets (and anything named like one) masked. */
    private String masked(Action a) {
        Catalog c = catalog.get();
        return String.valueOf(Secrets.mask(a.parameters(), k -> c.actionner(a.actionner())
                .map(spec -> spec.isSecret(k)).orElse(false)));
    }

    /** First step of {@code direct:talon-action}: the event as body and the action's headers. */
    public void prepareAction(Exchange exchange) {
        State st = exchange.getProperty(TalonHeaders.PROP_ROUTER_STATE, State.class);
        Event event = exchange.getProperty(TalonHeaders.PROP_EVENT, Event.class);
        Step s = st.awaiting;
        Message m = exchange.getMessage();
        m.removeHeaders("Talon*");
        m.setBody(event);
        m.setHeader(TalonHeaders.RULE, s.match().rule().name());
        m.setHeader(TalonHeaders.ACTION, s.action().name());
        m.setHeader(TalonHeaders.ACTIONNER, s.action().actionner());
        m.setHeader(TalonHeaders.PARAMETERS, s.action().runParameters());
        m.setHeader(TalonHeaders.TRACE_ID, exchange.getProperty(TalonHeaders.TRACE_ID));
        m.setHeader(TalonHeaders.FALCO_RULE, event.rule());
        if (s.action().ttl() != null) {
            m.setHeader(TalonHeaders.TTL_MILLIS, s.action().ttl().toMillis());
        }
        m.setHeader(TalonHeaders.PRIORITY, event.priority().displayName());
        m.setHeader(TalonHeaders.CONTEXT, event.context());
        m.setHeader(TalonHeaders.ADDITIONAL_CONTEXTS, s.action().additionalContexts());
        if (s.action().output() != null) {
            m.setHeader(TalonHeaders.OUTPUT_TARGET, s.action().output().target());
            m.setHeader(TalonHeaders.OUTPUT_PARAMETERS, s.action().output().parameters());
            // only ever built from a validated target name (Catalog.ACTIONNER_NAME)
            exchange.setProperty(TalonHeaders.PROP_OUTPUT_ENDPOINT,
                    Catalog.outputEndpoint(s.action().output().target()));
        } else {
            exchange.removeProperty(TalonHeaders.PROP_OUTPUT_ENDPOINT);
        }
        if (event.podName() != null) {
            m.setHeader(TalonHeaders.POD, event.podName());
        }
        if (event.namespace() != null) {
            m.setHeader(TalonHeaders.NAMESPACE, event.namespace());
        }
        // only ever built from a validated actionner name (Catalog.ACTIONNER_NAME), never from event data
        exchange.setProperty(PROP_ACTIONNER_ENDPOINT, Catalog.actionnerEndpoint(s.action().actionner()));
        // the action's span, and its traceparent (header TalonTraceparent) for calls the actionner makes
        tracing.actionStarted(exchange, s.ruleIndex(), s.action());
    }

    /** First step of {@code direct:talon-notify}: the result as body and the notifier headers. */
    public void prepareNotification(Exchange exchange) {
        State st = exchange.getProperty(TalonHeaders.PROP_ROUTER_STATE, State.class);
        ActionResult r = st.pendingResult;
        Message m = exchange.getMessage();
        m.removeHeaders("Talon*");
        NotifierQueues.setResult(m, r);
        m.setHeader(TalonHeaders.NOTIFIER_QUEUES, st.pendingQueues);
        if (st.pendingSpan != null) {
            exchange.setProperty(Tracing.PROP_NOTIFY_PARENT, st.pendingSpan);
        }
    }

    /** The results of an exchange so far. */
    public static List<ActionResult> results(Exchange exchange) {
        State st = exchange.getProperty(TalonHeaders.PROP_ROUTER_STATE, State.class);
        return st == null ? List.of() : List.copyOf(st.results);
    }

    /** Records and logs the result; returns whether it goes to notifiers (then kept as pending). */
    private boolean deliver(Exchange exchange, State st, Step s, Event event, ActionResult r) {
        st.results.add(r);
        log(r);
        if (listener != null) {
            Long received = exchange.getProperty(TalonHeaders.PROP_RECEIVED_NANOS, Long.class);
            listener.onResult(r, event, received == null ? System.nanoTime() : received);
        }
        Set<String> notifiers = new LinkedHashSet<>(defaultNotifiers);
        notifiers.addAll(s.match().rule().notifiers());
        Catalog c = catalog.get();
        List<String> queues = new ArrayList<>();
        for (String n : notifiers) {
            if (c.hasNotifier(n)) {
                queues.add(NotifierQueues.queueEndpoint(n));
            }
        }
        if (queues.isEmpty()) {
            return false;
        }
        st.pendingResult = r;
        st.pendingQueues = String.join(",", queues);
        return true;
    }

    private static void log(ActionResult r) {
        boolean failure = ActionResult.FAILURE.equals(r.getStatus());
        if (failure ? !RESULTS.isWarnEnabled() : !RESULTS.isInfoEnabled()) {
            return; // nothing built for a line that is not written
        }
        MDC.put("trace_id", r.getTraceId());
        MDC.put("rule", r.getRule());
        MDC.put("action", r.getAction());
        MDC.put("actionner", r.getActionner());
        MDC.put("status", r.getStatus());
        String pod = r.getObjects().get("pod");
        String ns = r.getObjects().get("namespace");
        if (pod != null) {
            MDC.put("pod", pod);
        }
        if (ns != null) {
            MDC.put("namespace", ns);
        }
        try {
            if (failure) {
                RESULTS.warn("action {}: rule='{}' action='{}' actionner={} objects={} error={}", r.getStatus(),
                        r.getRule(), r.getAction(), r.getActionner(), r.getObjects(), r.getError());
            } else {
                RESULTS.info("action {}: rule='{}' action='{}' actionner={} objects={} {}{}", r.getStatus(),
                        r.getRule(), r.getAction(), r.getActionner(), r.getObjects(), r.getMessage(),
                        r.getArtifact() == null ? "" : " artifact=" + r.getArtifact().summary());
            }
        } finally {
            for (String k : List.of("trace_id", "rule", "action", "actionner", "status", "pod", "namespace")) {
                MDC.remove(k);
            }
        }
    }
}
