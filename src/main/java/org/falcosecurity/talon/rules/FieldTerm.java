package org.falcosecurity.talon.rules;

/**
 * One {@code key=value} or {@code key!=value} term of {@code match.output_fields}.
 * {@code key=value} holds when the event has the field with that canonical value; {@code key!=value} holds when the
 * field is absent or has another value.
 */
public record FieldTerm(String key, boolean negated, String value) {

    /** @throws IllegalArgumentException naming the problem */
    public static FieldTerm parse(String term) {
        String t = term.trim();
        int eq = t.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException("'" + t + "' is not a key=value or key!=value term");
        }
        boolean negated = eq > 0 && t.charAt(eq - 1) == '!';
        String key = t.substring(0, negated ? eq - 1 : eq).trim();
        if (key.isEmpty()) {
            throw new IllegalArgumentException("'" + t + "' has no field name before '" + (negated ? "!=" : "=") + "'");
        }
        if (!negated && key.endsWith("!")) {
            // "a! =b": not "a!=b" (a space, or a control character, between '!' and '='), and no field name ends in '!'
            throw new IllegalArgumentException("'" + t + "': the field name '" + key + "' ends with '!' (write "
                    + key.substring(0, key.length() - 1).trim() + "!=value for \"not equal\")");
        }
        return new FieldTerm(key, negated, t.substring(eq + 1).trim());
    }

    public boolean test(Event e) {
        String actual = e.field(key);
        boolean equal = actual != null && actual.equals(value);
        return negated != equal;
    }

    @Override
    public String toString() {
        return key + (negated ? "!=" : "=") + value;
    }
}
