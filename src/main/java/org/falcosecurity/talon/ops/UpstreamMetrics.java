package org.falcosecurity.talon.ops;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.rules.Action;
import org.falcosecurity.talon.rules.Event;
import org.falcosecurity.talon.rules.Rule;
import org.falcosecurity.talon.rules.RuleSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The counters of upstream Falco Talon under its names and labels, so that its Grafana dashboard (and ours) show
 * Talon's activity (Prometheus adds {@code _total}):
 * <ul>
 *   <li>{@code falcosecurity_falco_talon_events{event, priority, source}}: every event received;</li>
 *   <li>{@code falcosecurity_falco_talon_matches{rule, event, priority, source}}: every rule an event matched;</li>
 *   <li>{@code falcosecurity_falco_talon_actions{rule, action, actionner, status, namespace, pod}}: every action
 *       result (upstream also puts the event's output text in an {@code event} label: unbounded, left out);</li>
 *   <li>{@code falcosecurity_falco_talon_notifications{rule, action, actionner, notifier, status}}: every
 *       notification delivered ({@code success}) or lost ({@code failure});</li>
 *   <li>{@code falcosecurity_falco_talon_outputs{action, target, category, status}}: every artifact sent to an output
 *       target; its series start at 0 for each action of the rules that has an output.</li>
 * </ul>
 * Labels that come from event data ({@code event}, {@code source}, {@code namespace}, {@code pod}) are bounded by
 * {@link #boundedLabels}: past {@value #MAX_VALUES} values of a label, new ones count as {@code other}.
 */
public final class UpstreamMetrics {

    public static final String PREFIX = "falcosecurity_falco_talon_";
    /** Distinct values kept per event-derived label of one counter. */
    static final int MAX_VALUES = 1000;
    static final String OTHER = "other";
    private static final Set<String> FROM_EVENTS = Set.of("event", "source", "namespace", "pod");

    private UpstreamMetrics() {
    }

    /** An event was received. */
    public static void event(MeterRegistry r, Event e) {
        r.counter(PREFIX + "events", "event", e.rule(), "priority", e.priority().displayName(), "source", e.source())
                .increment();
    }

    /** An event matched a rule. */
    public static void match(MeterRegistry r, Event e, Rule rule) {
        r.counter(PREFIX + "matches", "rule", rule.name(), "event", e.rule(), "priority", e.priority().displayName(),
                "source", e.source()).increment();
    }

    /** An action has its result. */
    public static void action(MeterRegistry r, ActionResult a) {
        Map<String, String> o = a.getObjects();
        r.counter(PREFIX + "actions", "rule", a.getRule(), "action", a.getAction(), "actionner", a.getActionner(),
                "status", a.getStatus(), "namespace", o.getOrDefault("namespace", ""), "pod", o.getOrDefault("pod", ""))
                .increment();
    }

    /** A notification was delivered ({@code success}) or lost ({@code failure}). */
    public static void notification(MeterRegistry r, Object result, String notifier, boolean delivered) {
        ActionResult a = result instanceof ActionResult ar ? ar : null;
        r.counter(PREFIX + "notifications", "rule", a == null ? "" : a.getRule(), "action",
                a == null ? "" : a.getAction(), "actionner", a == null ? "" : a.getActionner(), "notifier", notifier,
                "status", delivered ? "success" : "failure").increment();
    }

    /** An artifact went to an output target (for the output targets that come with the forensics issues). */
    public static void output(MeterRegistry r, String action, String target, String status) {
        outputCounter(r, action, target, status).increment();
    }

    /** The output series of every action of the rules that has an output, at 0 until something is sent. */
    public static void outputsOf(MeterRegistry r, RuleSet rules) {
        for (Rule rule : rules.rules()) {
            for (Action a : rule.actions()) {
                if (a.output() != null) {
                    outputCounter(r, a.name(), a.output().target(), "success");
                    outputCounter(r, a.name(), a.output().target(), "failure");
                }
            }
        }
    }

    private static io.micrometer.core.instrument.Counter outputCounter(MeterRegistry r, String action, String target,
                                                                        String status) {
        return r.counter(PREFIX + "outputs", "action", action, "target", target, "category",
                target.substring(0, Math.max(0, target.indexOf(':'))), "status", status);
    }

    /** The filter that bounds the event-derived labels of these counters (installed on the registry first). */
    public static MeterFilter boundedLabels() {
        Map<String, Set<String>> seen = new ConcurrentHashMap<>();
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (!id.getName().startsWith(PREFIX)) {
                    return id;
                }
                List<Tag> tags = new ArrayList<>();
                boolean changed = false;
                for (Tag t : id.getTags()) {
                    if (FROM_EVENTS.contains(t.getKey())) {
                        Set<String> values = seen.computeIfAbsent(id.getName() + "/" + t.getKey(),
                                k -> ConcurrentHashMap.newKeySet());
                        if (!values.contains(t.getValue())) {
                            if (values.size() >= MAX_VALUES) {
                                tags.add(Tag.of(t.getKey(), OTHER));
                                changed = true;
                                continue;
                            }
                            values.add(t.getValue());
                        }
                    }
                    tags.add(t);
                }
                return changed ? id.replaceTags(tags) : id;
            }
        };
    }
}
