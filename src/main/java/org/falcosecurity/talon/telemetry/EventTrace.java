package org.falcosecurity.talon.telemetry;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;

import java.util.ArrayList;
import java.util.List;

/**
 * One event's spans so far, kept as the exchange property {@link Tracing#PROP_TRACE} (the same object in every copy
 * of the exchange): the event's own span, and the {@code match} span of each planned rule (by its index in the
 * plan), under which that rule's actions run.
 */
final class EventTrace {

    final Span event;
    final Context context;
    private final List<Context> matches = new ArrayList<>();

    EventTrace(Span event) {
        this.event = event;
        this.context = Context.root().with(event);
    }

    synchronized void addMatch(Span match) {
        matches.add(Context.root().with(match));
    }

    /** The context an action of the rule at {@code ruleIndex} starts in (its match, else the event). */
    synchronized Context rule(int ruleIndex) {
        return ruleIndex >= 0 && ruleIndex < matches.size() ? matches.get(ruleIndex) : context;
    }
}
