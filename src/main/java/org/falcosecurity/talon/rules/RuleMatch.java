package org.falcosecurity.talon.rules;

import java.util.List;

/** A rule that fired for an event, with the actions it plans to run (continue semantics applied). */
public record RuleMatch(Rule rule, boolean dryRun, List<Action> actions) {
}
