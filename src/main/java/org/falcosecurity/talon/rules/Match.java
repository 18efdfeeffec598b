package org.falcosecurity.talon.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code match} section of a rule. A rule matches an event when every criterion that is set holds.
 *
 * @param rules         Falco rule names (OR); empty means any rule
 * @param priority      a priority comparison, or {@code null} for any priority
 * @param tags          entries (OR) of tags that must all be present (AND); empty means any tags
 * @param outputFields  entries (OR) of terms that must all hold (AND); empty means any fields
 * @param source        the event source, or {@code null} for any source
 */
public record Match(List<String> rules, PriorityCondition priority, List<Set<String>> tags,
                    List<List<FieldTerm>> outputFields, String source) {

    public Match {
        rules = List.copyOf(rules);
        tags = tags.stream().map(Set::copyOf).toList();
        outputFields = outputFields.stream().map(List::copyOf).toList();
    }

    public static Match any() {
        return new Match(List.of(), null, List.of(), List.of(), null);
    }

    /** Whether the event satisfies this section; {@code rules} is checked too (the index is an optimisation). */
    public boolean test(Event e) {
        if (!rules.isEmpty() && !rules.contains(e.rule())) {
            return false;
        }
        if (priority != null && !priority.test(e.priority())) {
            return false;
        }
        if (source != null && !source.equals(e.source())) {
            return false;
        }
        if (!tags.isEmpty()) {
            boolean any = false;
            List<String> eventTags = e.tags();
            for (Set<String> entry : tags) {
                if (eventTags.containsAll(entry)) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return false;
            }
        }
        if (!outputFields.isEmpty()) {
            for (List<FieldTerm> entry : outputFields) {
                boolean all = true;
                for (FieldTerm t : entry) {
                    if (!t.test(e)) {
                        all = false;
                        break;
                    }
                }
                if (all) {
                    return true;
                }
            }
            return false;
        }
        return true;
    }

    /** A criterion that does not hold for an event, and why. */
    public record Miss(String criterion, String reason) {
        @Override
        public String toString() {
            return criterion + ": " + reason;
        }
    }

    /**
     * Every criterion that does not hold for the event, with the reason (empty when the event matches): what
     * {@code simulate --explain} shows. It agrees with {@link #test}, which stays the fast path of the intake.
     */
    public List<Miss> explain(Event e) {
        List<Miss> misses = new ArrayList<>();
        if (!rules.isEmpty() && !rules.contains(e.rule())) {
            misses.add(new Miss("rules", "Falco rule '" + e.rule() + "' is not one of '" + String.join("', '", rules)
                    + "'"));
        }
        if (priority != null && !priority.test(e.priority())) {
            misses.add(new Miss("priority", "priority " + e.priority().displayName() + " is not " + priority));
        }
        if (!tags.isEmpty() && tags.stream().noneMatch(e.tags()::containsAll)) {
            List<String> lacking = new ArrayList<>();
            for (Set<String> entry : tags) {
                List<String> missing = entry.stream().filter(t -> !e.tags().contains(t)).sorted().toList();
                lacking.add("[" + String.join(", ", entry.stream().sorted().toList()) + "] lacks "
                        + String.join(", ", missing));
            }
            misses.add(new Miss("tags", "no entry has all its tags: " + String.join("; ", lacking)));
        }
        if (!outputFields.isEmpty()) {
            List<String> failed = new ArrayList<>();
            boolean any = false;
            for (List<FieldTerm> entry : outputFields) {
                String why = null;
                for (FieldTerm t : entry) {
                    why = t.whyNot(e);
                    if (why != null) {
                        break;
                    }
                }
                if (why == null) {
                    any = true;
                    break;
                }
                failed.add(why);
            }
            if (!any) {
                misses.add(new Miss("output_fields", (outputFields.size() == 1 ? "" : "no entry holds: ")
                        + String.join("; ", failed)));
            }
        }
        if (source != null && !source.equals(e.source())) {
            misses.add(new Miss("source", "source '" + e.source() + "' is not '" + source + "'"));
        }
        return misses;
    }
}
