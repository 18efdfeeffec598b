package org.falcosecurity.talon.rules;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A {@code match.priority} criterion such as {@code >=Critical}, {@code <Warning} or {@code Debug}. */
public record PriorityCondition(Operator operator, Priority priority) {

    public enum Operator {
        LT("<"), LE("<="), GT(">"), GE(">="), EQ("=");

        final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }
    }

    private static final Pattern SYNTAX = Pattern.compile("^\\s*(<=|>=|<|>|=)?\\s*([A-Za-z]+)\\s*$");

    /**
     * Parses the criterion.
     *
     * @throws IllegalArgumentException with a message naming what is wrong
     */
    public static PriorityCondition parse(String text) {
        Matcher m = SYNTAX.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a priority comparison"
                    + " (expected an optional <, >, <=, >= or = followed by a Falco priority, e.g. '>=Critical')");
        }
        Priority p = Priority.parse(m.group(2)).orElseThrow(() -> new IllegalArgumentException(
                "unknown priority '" + m.group(2) + "' (expected one of Debug, Informational, Notice, Warning,"
                        + " Error, Critical, Alert, Emergency)"));
        String op = m.group(1);
        Operator operator = Operator.EQ;
        if (op != null) {
            for (Operator o : Operator.values()) {
                if (o.symbol.equals(op)) {
                    operator = o;
                }
            }
        }
        return new PriorityCondition(operator, p);
    }

    public boolean test(Priority actual) {
        int c = actual.compareTo(priority);
        return switch (operator) {
            case LT -> c < 0;
            case LE -> c <= 0;
            case GT -> c > 0;
            case GE -> c >= 0;
            case EQ -> c == 0;
        };
    }

    @Override
    public String toString() {
        return (operator == Operator.EQ ? "" : operator.symbol) + priority.displayName();
    }
}
