package org.falcosecurity.talon.rules.load;

import com.fasterxml.jackson.databind.JsonNode;
import org.falcosecurity.talon.catalog.Checks;
import org.falcosecurity.talon.catalog.Suggestions;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Reads typed values out of a rule file's YAML nodes, reporting what is wrong with each under its field. */
final class YamlValues {

    private final String file;
    private final RuleErrors errors;

    YamlValues(String file, RuleErrors errors) {
        this.file = file;
        this.errors = errors;
    }

    void error(String where, String field, String message) {
        errors.add(file, where, field, message);
    }

    void warn(String where, String field, String message) {
        errors.warn(file, where, field, message);
    }

    /**
     * {@code true} / {@code false}, or {@code null} when absent. The strings {@code "true"} and {@code "false"} count
     * too: upstream Falco Talon keeps these settings as strings and its documentation quotes them.
     */
    Boolean bool(String where, String field, JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isTextual() && (v.textValue().equals("true") || v.textValue().equals("false"))) {
            return Boolean.parseBoolean(v.textValue());
        }
        error(where, field, "must be true or false, got " + kind(v));
        return null;
    }

    /** A list of non-empty strings (empty when absent). */
    List<String> strings(String where, String field, JsonNode v) {
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            error(where, field, "must be a list of strings (one '- item' per line), got " + kind(v));
            return out;
        }
        int i = 0;
        for (JsonNode e : v) {
            if (!e.isTextual() || e.textValue().isBlank()) {
                error(where, field + "[" + i + "]", "must be a non-empty string, got " + kind(e));
            } else {
                out.add(e.textValue().trim());
            }
            i++;
        }
        return out;
    }

    /** A non-empty string, or {@code null} (absent, or reported). */
    String text(String where, String field, JsonNode v, String expected) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.textValue().isBlank()) {
            error(where, field, "must be " + expected + ", got " + kind(v));
            return null;
        }
        return v.textValue();
    }

    /** Unknown keys are warnings, as upstream Falco Talon ignores them; the closest known key is suggested. */
    void unknownKeys(String where, String prefix, JsonNode node, Set<String> allowed) {
        for (String k : keys(node)) {
            if (!allowed.contains(k)) {
                warn(where, prefix + k, "unknown key, ignored (" + Suggestions.closest(k, allowed)
                        .map(s -> "did you mean " + s + "? ").orElse("") + "known: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    static List<String> keys(JsonNode node) {
        List<String> keys = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        return keys;
    }

    /** How a node reads in a message: {@code the string 'x'}, {@code a list}, {@code a mapping}. */
    static String kind(JsonNode v) {
        if (v.isTextual()) {
            return "the string '" + Checks.truncate(v.textValue(), 40) + "'";
        }
        if (v.isBoolean() || v.isNumber()) {
            return "the value " + v;
        }
        if (v.isArray()) {
            return "a list";
        }
        if (v.isObject()) {
            return "a mapping";
        }
        if (v.isNull()) {
            return "nothing (null)";
        }
        return v.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
