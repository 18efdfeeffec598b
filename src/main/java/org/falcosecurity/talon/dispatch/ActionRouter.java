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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
    private final BlastRadiusGuard guard;
    private AuditTrail audit;

    public ActionRouter(List<String> defaultNotifiers, Supplier<Catalog> catalog, ResultListener listener,
                        BlastRadiusGuard guard) {
        this.defaultNotifiers = List.copyOf(defaultNotifiers);
        this.catalog = catalog;
        this.listener = listener;
        this.guard = guard;
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
            ActionResult result = collect(exchange, done, event);
            String refusedBy = exchange.getMessage().getHeader(TalonHeaders.REFUSED_BY, "", String.class);
            if (audit != null && !refusedBy.isEmpty() && ActionResult.IGNORED.equals(result.getStatus())) {
                // event provenance or a protected object (KubernetesTarget and the actionners' checks)
                audit.refused(result, refusedBy);
            }
            if (ActionResult.FAILURE.equals(result.getStatus()) && !done.action().ignoreErrors()) {
                st.abortedRules.add(done.ruleIndex());
            }
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
                ActionResult r = result(exchange, s, event, ActionResult.DRY_RUN,
                        "would run " + s.action().actionner() + " with " + masked(s.action()),
                        "", null, defaultObjects(event));
                if (deliver(exchange, st, s, event, r)) {
                    return NOTIFY_ENDPOINT;
                }
                continue;
            }
            String limited = guard == null ? null
                    : guard.tryAcquire(s.match().rule().name(), s.action().actionner(), event);
            if (limited != null) {
                ActionResult r = result(exchange, s, event, ActionResult.IGNORED, limited, limited, null,
                        defaultObjects(event));
                if (audit != null) {
                    audit.refused(r, "blast radius");
                }
                if (deliver(exchange, st, s, event, r)) {
                    return NOTIFY_ENDPOINT;
                }
                continue;
            }
            st.awaiting = s;
            return ACTION_ENDPOINT;
        }
        return null;
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
        }
        if (event.podName() != null) {
            m.setHeader(TalonHeaders.POD, event.podName());
        }
        if (event.namespace() != null) {
            m.setHeader(TalonHeaders.NAMESPACE, event.namespace());
        }
        // only ever built from a validated actionner name (Catalog.ACTIONNER_NAME), never from event data
        exchange.setProperty(PROP_ACTIONNER_ENDPOINT, Catalog.actionnerEndpoint(s.action().actionner()));
    }

    /** First step of {@code direct:talon-notify}: the result as body and the notifier headers. */
    public void prepareNotification(Exchange exchange) {
        State st = exchange.getProperty(TalonHeaders.PROP_ROUTER_STATE, State.class);
        ActionResult r = st.pendingResult;
        Message m = exchange.getMessage();
        m.removeHeaders("Talon*");
        NotifierQueues.setResult(m, r);
        m.setHeader(TalonHeaders.NOTIFIER_QUEUES, st.pendingQueues);
    }

    /** The results of an exchange so far. */
    public static List<ActionResult> results(Exchange exchange) {
        State st = exchange.getProperty(TalonHeaders.PROP_ROUTER_STATE, State.class);
        return st == null ? List.of() : List.copyOf(st.results);
    }

    private ActionResult collect(Exchange exchange, Step s, Event event) {
        Message m = exchange.getMessage();
        String status = m.getHeader(TalonHeaders.STATUS, String.class);
        String error = m.getHeader(TalonHeaders.ERROR, String.class);
        if (status == null || status.isBlank()) {
            status = ActionResult.SUCCESS;
        }
        if (!List.of(ActionResult.SUCCESS, ActionResult.FAILURE, ActionResult.IGNORED).contains(status)) {
            error = "the actionner route set an unknown status '" + status + "'";
            status = ActionResult.FAILURE;
        }
        Map<String, String> objects = new LinkedHashMap<>(defaultObjects(event));
        Object o = m.getHeader(TalonHeaders.OBJECTS);
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                if (k != null && v != null) {
                    String value = String.valueOf(v);
                    if (value.isEmpty()) {
                        // an empty value removes a default object (e.g. "pod" when the target is not a pod)
                        objects.remove(String.valueOf(k));
                    } else {
                        objects.put(String.valueOf(k), value);
                    }
                }
            });
        }
        return result(exchange, s, event, status, m.getHeader(TalonHeaders.MESSAGE, String.class),
                m.getHeader(TalonHeaders.OUTPUT, String.class), error, objects);
    }

    private static Map<String, String> defaultObjects(Event event) {
        Map<String, String> objects = new LinkedHashMap<>();
        if (event.podName() != null) {
            objects.put("pod", event.podName());
        }
        if (event.namespace() != null) {
            objects.put("namespace", event.namespace());
        }
        return objects;
    }

    private static ActionResult result(Exchange exchange, Step s, Event event, String status, String message,
                                       String output, String error, Map<String, String> objects) {
        String msg = message;
        if (msg == null || msg.isBlank()) {
            msg = "action '" + s.action().name() + "' (" + s.action().actionner() + ") of rule '"
                    + s.match().rule().name() + "': " + status
                    + (error != null && !error.isBlank() ? ": " + error : "");
        }
        return new ActionResult(Instant.now(), exchange.getProperty(TalonHeaders.TRACE_ID, String.class),
                status, s.match().rule().name(), s.action().name(), s.action().actionner(), Secrets.maskUrls(msg),
                output, Secrets.maskUrls(error), event.outputText(), event.rule(), event.priority().displayName(),
                event.source(), event.hostname(), objects, event.context());
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
            if (ActionResult.FAILURE.equals(r.getStatus())) {
                RESULTS.warn("action {}: rule='{}' action='{}' actionner={} objects={} error={}", r.getStatus(),
                        r.getRule(), r.getAction(), r.getActionner(), r.getObjects(), r.getError());
            } else {
                RESULTS.info("action {}: rule='{}' action='{}' actionner={} objects={} {}", r.getStatus(),
                        r.getRule(), r.getAction(), r.getActionner(), r.getObjects(), r.getMessage());
            }
        } finally {
            for (String k : List.of("trace_id", "rule", "action", "actionner", "status", "pod", "namespace")) {
                MDC.remove(k);
            }
        }
    }
}
