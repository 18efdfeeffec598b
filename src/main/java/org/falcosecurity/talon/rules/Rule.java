package org.falcosecurity.talon.rules;

import java.util.List;

/**
 * A validated rule.
 *
 * @param name           the Talon rule name
 * @param description    free text, may be empty
 * @param match          when it fires
 * @param continueRules  whether rules below it are still evaluated after it fired
 * @param dryRun         whether its actions are only reported
 * @param actions        its actions, in order
 * @param notifiers      notifiers added to the default ones for its results
 * @param files          the rule files that define it
 */
public record Rule(String name, String description, Match match, boolean continueRules, boolean dryRun,
                   List<Action> actions, List<String> notifiers, List<String> files) {

    public Rule {
        actions = List.copyOf(actions);
        notifiers = List.copyOf(notifiers);
        files = List.copyOf(files);
    }

    /**
     * The actions that run when every one succeeds: the list up to and including the first action whose
     * {@code continue} is false.
     */
    public List<Action> plannedActions() {
        for (int i = 0; i < actions.size(); i++) {
            if (!actions.get(i).continueAfter()) {
                return actions.subList(0, i + 1);
            }
        }
        return actions;
    }
}
