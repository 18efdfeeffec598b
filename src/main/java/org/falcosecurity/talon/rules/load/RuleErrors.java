package org.falcosecurity.talon.rules.load;

import java.util.ArrayList;
import java.util.List;

/**
 * The problems found while loading rule files, in the order found: errors (the files are refused) and warnings
 * (what upstream Falco Talon silently ignores, such as an unknown key or parameter: accepted, reported).
 */
final class RuleErrors {

    private final List<RuleError> list = new ArrayList<>();
    private final List<RuleError> warnings = new ArrayList<>();

    void add(String file, String block, String field, String message) {
        list.add(new RuleError(file, block, field, message));
    }

    void warn(String file, String block, String field, String message) {
        warnings.add(new RuleError(file, block, field, message));
    }

    int size() {
        return list.size();
    }

    List<RuleError> list() {
        return list;
    }

    List<RuleError> warnings() {
        return warnings;
    }
}
