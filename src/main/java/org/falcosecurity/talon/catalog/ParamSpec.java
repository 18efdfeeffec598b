package org.falcosecurity.talon.catalog;

import java.util.List;
import java.util.Map;

/**
 * One parameter an actionner or an output target accepts: its name, shape, whether it is required, how its value is
 * checked, its default, whether it holds a secret, and what it is for.
 *
 * @param name         the parameter name as written in a rule
 * @param type         the expected shape of the value
 * @param required     whether a rule must set it
 * @param check        an extra check on a value of the right shape; returns the problem, or {@code null} when valid
 * @param defaultValue the value the actionner runs with when a rule does not set it, or {@code null}
 * @param description  one line for the reference and {@code actionners list}
 * @param secret       whether its value is masked wherever Talon prints it
 */
public record ParamSpec(String name, Type type, boolean required, Check check, Object defaultValue,
                        String description, boolean secret) {

    @FunctionalInterface
    public interface Check {
        /** @return a description of what is wrong with {@code value}, or {@code null} */
        String problem(Object value);
    }

    public enum Type {
        STRING("a string", "string"),
        INTEGER("an integer", "integer"),
        BOOLEAN("a boolean (true or false)", "boolean"),
        STRING_LIST("a list of strings", "list of strings"),
        STRING_MAP("a map of string keys to string values", "map of strings"),
        /** An integer or a string; used for values like {@code "50%"}. */
        INTEGER_OR_STRING("an integer or a string", "integer or string");

        private final String description;
        private final String shortName;

        Type(String description, String shortName) {
            this.description = description;
            this.shortName = shortName;
        }

        /** {@code a list of strings}: for messages. */
        public String description() {
            return description;
        }

        /** {@code list of strings}: for tables. */
        public String shortName() {
            return shortName;
        }
    }

    public static ParamSpec of(String name, Type type) {
        return new ParamSpec(name, type, false, null, null, "", false);
    }

    public static ParamSpec required(String name, Type type) {
        return new ParamSpec(name, type, true, null, null, "", false);
    }

    public ParamSpec withCheck(Check c) {
        return new ParamSpec(name, type, required, c, defaultValue, description, secret);
    }

    public ParamSpec describedAs(String text) {
        return new ParamSpec(name, type, required, check, defaultValue, text, secret);
    }

    /** Marks the value as a secret: masked in {@code rules print}, {@code simulate}, results and logs. */
    public ParamSpec asSecret() {
        return new ParamSpec(name, type, required, check, defaultValue, description, true);
    }

    /** The value used when a rule does not set the parameter (it must itself be valid). */
    public ParamSpec withDefault(Object value) {
        if (validate(value) != null) {
            throw new IllegalArgumentException("invalid default for " + name + ": " + validate(value));
        }
        return new ParamSpec(name, type, required, check, value, description, secret);
    }

    /** @return what is wrong with the value, or {@code null} when it is valid */
    public String validate(Object value) {
        if (!hasType(value)) {
            return "must be " + type.description + ", got " + Checks.describe(value);
        }
        return check == null ? null : check.problem(value);
    }

    private boolean hasType(Object value) {
        return switch (type) {
            case STRING -> value instanceof String;
            case INTEGER -> Checks.isInteger(value);
            case BOOLEAN -> value instanceof Boolean;
            case STRING_LIST -> value instanceof List<?> l && l.stream().allMatch(e -> e instanceof String);
            case STRING_MAP -> value instanceof Map<?, ?> m && m.entrySet().stream()
                    .allMatch(e -> e.getKey() instanceof String && isScalarOrNull(e.getValue()));
            case INTEGER_OR_STRING -> value instanceof String || Checks.isInteger(value);
        };
    }

    private static boolean isScalarOrNull(Object v) {
        return v == null || v instanceof String || v instanceof Number || v instanceof Boolean;
    }

    /** The given parameter names that are not declared (none when {@code open}). */
    static java.util.List<String> unknown(Map<String, Object> given, Map<String, ParamSpec> declared, boolean open) {
        return open ? java.util.List.of() : given.keySet().stream().filter(k -> !declared.containsKey(k)).toList();
    }

    /**
     * Checks given parameters against declared ones.
     *
     * @param prefix  the field path in front of each name ({@code parameters.}, {@code output.parameters.})
     * @param owner   how messages name the declaring thing ({@code kubernetes:terminate}, {@code output aws:s3})
     * @param open    whether unknown parameters are accepted
     * @param missing the message for a required parameter that is not set
     */
    static java.util.List<Problem> validateAll(Map<String, Object> given, Map<String, ParamSpec> declared,
                                               boolean open, String prefix, String owner, String missing) {
        java.util.List<Problem> problems = new java.util.ArrayList<>();
        if (!open) {
            for (String key : given.keySet()) {
                if (!declared.containsKey(key)) {
                    problems.add(new Problem(prefix + key, "unknown parameter for " + owner
                            + (declared.isEmpty() ? " (it takes no parameters)"
                            : " (known: " + String.join(", ", declared.keySet()) + ")")));
                }
            }
        }
        for (ParamSpec p : declared.values()) {
            Object v = given.get(p.name());
            String field = prefix + p.name();
            if (v == null) {
                if (p.required() && !given.containsKey(p.name())) {
                    problems.add(new Problem(field, missing));
                } else if (given.containsKey(p.name())) {
                    problems.add(new Problem(field, "has no value"));
                }
                continue;
            }
            String problem = p.validate(v);
            if (problem != null) {
                problems.add(new Problem(field, problem));
            }
        }
        return problems;
    }
}
