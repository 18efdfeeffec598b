package org.falcosecurity.talon.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An equality-based Kubernetes label selector, as {@code kubectl -l} takes it: requirements joined by {@code ,}, all
 * of which must hold — {@code key=value} (or {@code key==value}), {@code key!=value}, {@code key} (the label is set),
 * {@code !key} (it is not). Used by {@code protected.labels}.
 */
public record LabelSelector(String text, List<Requirement> requirements) {

    /** One requirement: the label {@code key}, and what it must (not) be. */
    public record Requirement(String key, Op op, String value) {

        boolean matches(Map<String, String> labels) {
            String v = labels.get(key);
            return switch (op) {
                case EXISTS -> v != null;
                case NOT_EXISTS -> v == null;
                case EQUALS -> value.equals(v);
                case NOT_EQUALS -> !value.equals(v);
            };
        }
    }

    public enum Op { EQUALS, NOT_EQUALS, EXISTS, NOT_EXISTS }

    private static final String KEY = "(?:[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?";
    private static final String VALUE = "(?:[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?";
    private static final Pattern REQUIREMENT = Pattern.compile(
            "\\s*(?:(?<not>!)\\s*(?<nkey>" + KEY + ")|(?<key>" + KEY + ")\\s*(?:(?<op>==|=|!=)\\s*(?<value>" + VALUE
                    + "))?)\\s*");

    /** Parses a selector; an {@link IllegalArgumentException} naming the problem when it is not one. */
    public static LabelSelector parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("an empty label selector would match every object");
        }
        List<Requirement> reqs = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            Matcher m = REQUIREMENT.matcher(part);
            if (!m.matches()) {
                throw new IllegalArgumentException("'" + text + "' is not a label selector (expected key=value,"
                        + " key!=value, key or !key, joined by ','): '" + part.strip() + "'");
            }
            if (m.group("not") != null) {
                reqs.add(new Requirement(m.group("nkey"), Op.NOT_EXISTS, null));
            } else if (m.group("op") == null) {
                reqs.add(new Requirement(m.group("key"), Op.EXISTS, null));
            } else {
                reqs.add(new Requirement(m.group("key"), "!=".equals(m.group("op")) ? Op.NOT_EQUALS : Op.EQUALS,
                        m.group("value")));
            }
        }
        return new LabelSelector(text.strip(), List.copyOf(reqs));
    }

    /** What is wrong with a selector's text, or {@code null}. */
    static String problem(String text) {
        try {
            parse(text);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** Whether labels (null: none) satisfy every requirement. */
    public boolean matches(Map<String, String> labels) {
        Map<String, String> l = labels == null ? Map.of() : labels;
        return requirements.stream().allMatch(r -> r.matches(l));
    }
}
