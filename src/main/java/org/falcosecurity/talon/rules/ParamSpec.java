package org.falcosecurity.talon.rules;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One parameter an actionner accepts: its name, whether it is required, and how its value is checked.
 *
 * @param name      the parameter name as written in a rule
 * @param type      the expected shape of the value
 * @param required  whether a rule must set it
 * @param check     an extra check on a value of the right shape; returns the problem, or {@code null} when valid
 */
public record ParamSpec(String name, Type type, boolean required, Check check) {

    @FunctionalInterface
    public interface Check {
        /** @return a description of what is wrong with {@code value}, or {@code null} */
        String problem(Object value);
    }

    public enum Type {
        STRING("a string"),
        INTEGER("an integer"),
        BOOLEAN("a boolean (true or false)"),
        STRING_LIST("a list of strings"),
        STRING_MAP("a map of string keys to string values"),
        /** An integer or a string; used for values like {@code "50%"}. */
        INTEGER_OR_STRING("an integer or a string");

        final String description;

        Type(String description) {
            this.description = description;
        }
    }

    public static ParamSpec of(String name, Type type) {
        return new ParamSpec(name, type, false, null);
    }

    public static ParamSpec required(String name, Type type) {
        return new ParamSpec(name, type, true, null);
    }

    public ParamSpec withCheck(Check c) {
        return new ParamSpec(name, type, required, c);
    }

    /** @return what is wrong with the value, or {@code null} when it is valid */
    public String validate(Object value) {
        if (!hasType(value)) {
            return "must be " + type.description + ", got " + describe(value);
        }
        return check == null ? null : check.problem(value);
    }

    private boolean hasType(Object value) {
        return switch (type) {
            case STRING -> value instanceof String;
            case INTEGER -> isInteger(value);
            case BOOLEAN -> value instanceof Boolean;
            case STRING_LIST -> value instanceof List<?> l && l.stream().allMatch(e -> e instanceof String);
            case STRING_MAP -> value instanceof Map<?, ?> m && m.entrySet().stream()
                    .allMatch(e -> e.getKey() instanceof String && isScalarOrNull(e.getValue()));
            case INTEGER_OR_STRING -> value instanceof String || isInteger(value);
        };
    }

    static boolean isInteger(Object v) {
        return v instanceof Integer || v instanceof Long || v instanceof java.math.BigInteger || v instanceof Short;
    }

    private static boolean isScalarOrNull(Object v) {
        return v == null || v instanceof String || v instanceof Number || v instanceof Boolean;
    }

    static String describe(Object v) {
        if (v == null) {
            return "nothing (null)";
        }
        if (v instanceof String s) {
            return "the string '" + EventParser.truncate(s, 40) + "'";
        }
        if (v instanceof Boolean) {
            return "the boolean " + v;
        }
        if (v instanceof Number) {
            return "the number " + v;
        }
        if (v instanceof List<?>) {
            return "a list";
        }
        if (v instanceof Map<?, ?>) {
            return "a map";
        }
        return v.getClass().getSimpleName();
    }

    // ---- reusable checks ----

    private static final Pattern PERCENT_OR_INT = Pattern.compile("^\\d+%?$");
    private static final Pattern CIDR4 = Pattern.compile(
            "^((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)/(3[0-2]|[12]?\\d)$");
    private static final Pattern CIDR6 = Pattern.compile("^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*/(12[0-8]|1[01]\\d|[1-9]?\\d)$");
    private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");

    public static final Check NON_NEGATIVE = v -> toLong(v) < 0 ? "must be 0 or more, got " + v : null;
    public static final Check POSITIVE = v -> toLong(v) <= 0 ? "must be 1 or more, got " + v : null;
    public static final Check NOT_BLANK = v -> ((String) v).isBlank() ? "must not be empty" : null;

    /** An absolute count ({@code 3}, {@code "3"}) or a percentage ({@code "50%"}, at most 100%). */
    public static final Check COUNT_OR_PERCENT = v -> {
        String s = String.valueOf(v).trim();
        if (!PERCENT_OR_INT.matcher(s).matches()) {
            return "must be a count such as \"3\" or a percentage such as \"50%\", got '" + s + "'";
        }
        if (s.endsWith("%") && Integer.parseInt(s.substring(0, s.length() - 1)) > 100) {
            return "must be a percentage of at most 100%, got '" + s + "'";
        }
        return null;
    };

    /** Every entry is an IPv4 or IPv6 CIDR such as {@code 10.0.0.0/8}. */
    public static final Check CIDRS = v -> {
        for (Object o : (List<?>) v) {
            String s = ((String) o).trim();
            if (!CIDR4.matcher(s).matches() && !CIDR6.matcher(s).matches()) {
                return "'" + s + "' is not a CIDR (expected e.g. 10.0.0.0/8 or fd00::/8)";
            }
        }
        return null;
    };

    /** Every entry is a Kubernetes namespace name. */
    public static final Check NAMESPACES = v -> {
        for (Object o : (List<?>) v) {
            if (!DNS_LABEL.matcher((String) o).matches()) {
                return "'" + o + "' is not a valid namespace name";
            }
        }
        return null;
    };

    public static Check oneOf(String... allowed) {
        List<String> ok = List.of(allowed);
        return v -> ok.contains(v) ? null : "must be one of " + String.join(", ", ok) + ", got '" + v + "'";
    }

    private static long toLong(Object v) {
        return ((Number) v).longValue();
    }
}
