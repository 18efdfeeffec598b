package org.falcosecurity.talon.rules.load;

import org.falcosecurity.talon.rules.RuleSet;

import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of loading rule files: the rules when valid, else every error found; and, either way, the warnings
 * (what upstream Falco Talon silently ignores: an unknown key, an unknown parameter, an output an actionner does not
 * use), which do not stop the rules from loading.
 */
public record LoadResult(RuleSet rules, List<RuleError> errors, List<RuleError> warnings) {

    public LoadResult {
        errors = List.copyOf(errors);
        warnings = List.copyOf(warnings);
    }

    public LoadResult(RuleSet rules, List<RuleError> errors) {
        this(rules, errors, List.of());
    }

    public boolean ok() {
        return errors.isEmpty();
    }

    /** The same result with every warning an error ({@code check --strict}). */
    public LoadResult strict() {
        if (warnings.isEmpty()) {
            return this;
        }
        List<RuleError> all = new ArrayList<>(errors);
        all.addAll(warnings);
        return new LoadResult(null, all, List.of());
    }
}
