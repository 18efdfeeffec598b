package org.falcosecurity.talon.rules;

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
}
