package org.falcosecurity.talon.rules;

import java.util.List;

/**
 * Why each rule did or did not fire for one event, in file order: what {@code simulate --explain} prints. Built by
 * {@link RuleSet#explain}, never on the intake's path.
 *
 * @param rules one verdict per rule of the set
 */
public record Explanation(List<RuleVerdict> rules) {

    public Explanation {
        rules = List.copyOf(rules);
    }

    /** What happened to one rule. */
    public enum Outcome { FIRED, NOT_MATCHED, NOT_EVALUATED }

    /**
     * @param rule    the rule
     * @param outcome fired, did not match, or was not evaluated (an earlier rule fired with {@code continue: false})
     * @param misses  the criteria that failed (for {@link Outcome#NOT_MATCHED})
     * @param stoppedBy the rule whose {@code continue: false} stopped the evaluation (for {@link Outcome#NOT_EVALUATED})
     * @param dryRun  whether the fired rule's actions are only reported
     * @param actions what becomes of each action of a fired rule
     */
    public record RuleVerdict(Rule rule, Outcome outcome, List<Match.Miss> misses, String stoppedBy, boolean dryRun,
                              List<ActionVerdict> actions) {
        public RuleVerdict {
            misses = List.copyOf(misses);
            actions = List.copyOf(actions);
        }
    }

    /**
     * @param action    the action
     * @param runs      whether it is planned (it may still be stopped at run time by an earlier failure)
     * @param condition when a planned action depends on earlier ones succeeding, which ({@code null}: none)
     * @param reason    why an action that is not planned does not run ({@code null} when it runs)
     */
    public record ActionVerdict(Action action, boolean runs, String condition, String reason) {
    }
}
