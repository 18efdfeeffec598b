package org.falcosecurity.talon.rules.load;

import java.util.ArrayList;
import java.util.List;

/** The problems found while loading rule files, in the order found. */
final class RuleErrors {

    private final List<RuleError> list = new ArrayList<>();

    void add(String file, String block, String field, String message) {
        list.add(new RuleError(file, block, field, message));
    }

    int size() {
        return list.size();
    }

    List<RuleError> list() {
        return list;
    }
}
