package org.falcosecurity.talon.rules.load;

import org.falcosecurity.talon.rules.RuleSet;

import java.util.List;

/** The outcome of loading rule files: the rules when valid, else every problem found. */
public record LoadResult(RuleSet rules, List<RuleError> errors) {

    public LoadResult {
        errors = List.copyOf(errors);
    }

    public boolean ok() {
        return errors.isEmpty();
    }
}
