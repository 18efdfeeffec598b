package org.falcosecurity.talon.catalog;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Reusable value checks of the declarations, each returning the problem or {@code null}. */
public final class Checks {

    private Checks() {
    }

    /** Both checks, the first problem found. */
    public static ParamSpec.Check both(ParamSpec.Check a, ParamSpec.Check b) {
        return v -> {
            String p = a.problem(v);
            return p != null ? p : b.problem(v);
        };
    }

    static boolean isInteger(Object v) {
        return v instanceof Integer || v instanceof Long || v instanceof java.math.BigInteger || v instanceof Short;
    }

    /** How a value reads in a message: {@code the string 'x'}, {@code a list}, {@code the number 3}. */
    public static String describe(Object v) {
        if (v == null) {
            return "nothing (null)";
        }
        if (v instanceof String s) {
            return "the string '" + truncate(s, 40) + "'";
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

    /** At most {@code max} characters, with an ellipsis when cut. */
    public static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }


    private static final Pattern PERCENT_OR_INT = Pattern.compile("^\\d+%?$");
    private static final Pattern CIDR4 = Pattern.compile(
            "^((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)/(3[0-2]|[12]?\\d)$");
    private static final Pattern CIDR6 = Pattern.compile("^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*/(12[0-8]|1[01]\\d|[1-9]?\\d)$");
    private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");

    public static final ParamSpec.Check NON_NEGATIVE = v -> toLong(v) < 0 ? "must be 0 or more, got " + v : null;
    public static final ParamSpec.Check POSITIVE = v -> toLong(v) <= 0 ? "must be 1 or more, got " + v : null;
    public static final ParamSpec.Check NOT_BLANK = v -> ((String) v).isBlank() ? "must not be empty" : null;

    /** An absolute count ({@code 3}, {@code "3"}) or a percentage ({@code "50%"}, at most 100%). */
    public static final ParamSpec.Check COUNT_OR_PERCENT = v -> {
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
    public static final ParamSpec.Check CIDRS = v -> {
        for (Object o : (List<?>) v) {
            String s = ((String) o).trim();
            if (!CIDR4.matcher(s).matches() && !CIDR6.matcher(s).matches()) {
                return "'" + s + "' is not a CIDR (expected e.g. 10.0.0.0/8 or fd00::/8)";
            }
        }
        return null;
    };

    /** Every entry is a Kubernetes namespace name. */
    public static final ParamSpec.Check NAMESPACES = v -> {
        for (Object o : (List<?>) v) {
            if (!DNS_LABEL.matcher((String) o).matches()) {
                return "'" + o + "' is not a valid namespace name";
            }
        }
        return null;
    };

    private static final Pattern QUALIFIED_NAME = Pattern.compile("^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
    private static final Pattern LABEL_VALUE = Pattern.compile("^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$");

    /**
     * Keys of a label or annotation map are Kubernetes qualified names ({@code [prefix/]name}); with
     * {@code labelValues}, values are valid label values too. An empty or null value means "remove".
     */
    public static ParamSpec.Check metadataMap(String what, boolean labelValues) {
        return v -> {
            Map<?, ?> m = (Map<?, ?>) v;
            if (m.isEmpty()) {
                return "must name at least one of the " + what;
            }
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String key = (String) e.getKey();
                String problem = qualifiedNameProblem(key);
                if (problem != null) {
                    return "key '" + key + "' " + problem;
                }
                if (labelValues && e.getValue() != null && !LABEL_VALUE.matcher(String.valueOf(e.getValue())).matches()) {
                    return "value of '" + key + "' is not a valid label value (at most 63 characters: letters, digits,"
                            + " '-', '_' and '.', starting and ending with a letter or digit), got '"
                            + truncate(String.valueOf(e.getValue()), 70) + "'";
                }
            }
            return null;
        };
    }

    private static String qualifiedNameProblem(String key) {
        int slash = key.lastIndexOf('/');
        String prefix = slash < 0 ? null : key.substring(0, slash);
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (prefix != null && (prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches())) {
            return "has an invalid prefix (expected a DNS subdomain such as falco.org)";
        }
        if (!QUALIFIED_NAME.matcher(name).matches()) {
            return "is not a valid name (at most 63 characters: letters, digits, '-', '_' and '.', starting and"
                    + " ending with a letter or digit)";
        }
        return null;
    }

    /** A string of at most {@code max} bytes in UTF-8. */
    public static ParamSpec.Check maxBytes(int max) {
        return v -> ((String) v).getBytes(StandardCharsets.UTF_8).length > max
                ? "is longer than " + max + " bytes" : null;
    }

    public static ParamSpec.Check oneOf(String... allowed) {
        List<String> ok = List.of(allowed);
        return v -> ok.contains(v) ? null : "must be one of " + String.join(", ", ok) + ", got '" + v + "'";
    }

    private static long toLong(Object v) {
        return ((Number) v).longValue();
    }
}
