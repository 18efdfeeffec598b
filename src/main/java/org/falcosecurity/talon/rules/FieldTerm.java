package org.falcosecurity.talon.rules;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;

/**
 * One term of {@code match.output_fields}: a field name, an operator and a value.
 *
 * <ul>
 *   <li>{@code key=value}: the event has the field with that canonical value;</li>
 *   <li>{@code key!=value}: the field is absent or has another value;</li>
 *   <li>{@code key^=prefix}, {@code key$=suffix}, {@code key*=substring}: the field starts with, ends with,
 *       contains the value;</li>
 *   <li>{@code key~=regex}: the regular expression (RE2 syntax, linear time whatever the input) finds a match in
 *       the field; anchor it with {@code ^} and {@code $} to match the whole value;</li>
 *   <li>{@code key>N}, {@code key>=N}, {@code key<N}, {@code key<=N}: the field is a number and compares so.</li>
 * </ul>
 *
 * Every operator but {@code !=} needs the field: an absent field (or, for the comparisons, one that is not a number)
 * does not hold. Regular expressions and numbers are compiled once, when the rule loads.
 */
public final class FieldTerm {

    /** The operators, longest first where one is the prefix of another. */
    public enum Op {
        NOT_EQUAL("!="), PREFIX("^="), SUFFIX("$="), CONTAINS("*="), REGEX("~="), GREATER_OR_EQUAL(">="),
        LESS_OR_EQUAL("<="), EQUAL("="), GREATER(">"), LESS("<");

        private final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }

        boolean numeric() {
            return this == GREATER || this == GREATER_OR_EQUAL || this == LESS || this == LESS_OR_EQUAL;
        }
    }

    /** A field name: no operator character, no comma. */
    private static final java.util.regex.Pattern TERM_START =
            java.util.regex.Pattern.compile("^\\s*([^=!^$*~<>,\\s][^=!^$*~<>,]*?)\\s*(!=|\\^=|\\$=|\\*=|~=|>=|<=|=|>|<)");
    private static final java.util.regex.Pattern BANG_THEN_SPACE =
            java.util.regex.Pattern.compile("^\\s*([^=!^$*~<>,\\s][^=!^$*~<>,]*?)![\\s\\p{Cntrl}]+=");
    private static final java.util.regex.Pattern LEADING_OP =
            java.util.regex.Pattern.compile("^(!=|\\^=|\\$=|\\*=|~=|>=|<=|=|>|<)");
    /** What the numeric operators accept, in the term and in the event: plain or exponent notation, bounded. */
    private static final java.util.regex.Pattern NUMBER =
            java.util.regex.Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d{1,4})?");
    private static final int MAX_NUMBER_LENGTH = 100;

    private final String key;
    private final Op op;
    private final String value;
    private final Pattern regex;
    private final BigDecimal number;

    private FieldTerm(String key, Op op, String value, Pattern regex, BigDecimal number) {
        this.key = key;
        this.op = op;
        this.value = value;
        this.regex = regex;
        this.number = number;
    }

    /** @throws IllegalArgumentException naming the term and the problem */
    public static FieldTerm parse(String term) {
        String t = term.trim();
        Matcher m = TERM_START.matcher(t);
        if (!m.find()) {
            Matcher bang = BANG_THEN_SPACE.matcher(t);
            if (bang.find()) {
                // "a! =b": not "a!=b" (a space, or a control character, between '!' and '='); no field name ends in '!'
                String key = bang.group(1).trim();
                throw new IllegalArgumentException("'" + t + "': the field name '" + key + "!' ends with '!' (write "
                        + key + "!=value for \"not equal\")");
            }
            Matcher leading = LEADING_OP.matcher(t);
            if (leading.find()) {
                throw new IllegalArgumentException("'" + t + "' has no field name before '" + leading.group(1) + "'");
            }
            throw new IllegalArgumentException("'" + t + "' is not a term: expected key=value, key!=value,"
                    + " key^=prefix, key$=suffix, key*=substring, key~=regex, key>N, key>=N, key<N or key<=N");
        }
        String key = m.group(1).trim();
        Op op = fromSymbol(m.group(2));
        String value = t.substring(m.end()).trim();
        Pattern regex = null;
        BigDecimal number = null;
        if (op == Op.REGEX) {
            try {
                regex = Pattern.compile(value);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("'" + t + "': invalid regular expression: " + e.getMessage());
            }
        } else if (op.numeric()) {
            number = number(value);
            if (number == null) {
                throw new IllegalArgumentException("'" + t + "': '" + value + "' is not a number (" + op.symbol()
                        + " compares numbers, e.g. " + key + op.symbol() + "1024)");
            }
        }
        return new FieldTerm(key, op, value, regex, number);
    }

    /**
     * The terms of one {@code output_fields} entry, separated by commas. Inside a regular expression, a comma
     * followed by something that does not start a term (a field name and an operator) belongs to the expression,
     * so {@code proc.cmdline~=^x{1,3}$} stays whole.
     *
     * @throws IllegalArgumentException naming the first term that does not parse
     */
    public static List<FieldTerm> parseAll(String entry) {
        List<String> parts = new ArrayList<>();
        for (String piece : entry.split(",", -1)) {
            if (!parts.isEmpty() && isRegex(parts.get(parts.size() - 1)) && !piece.isBlank()
                    && !TERM_START.matcher(piece).find()) {
                parts.set(parts.size() - 1, parts.get(parts.size() - 1) + "," + piece);
            } else {
                parts.add(piece);
            }
        }
        List<FieldTerm> out = new ArrayList<>(parts.size());
        for (String p : parts) {
            out.add(parse(p));
        }
        return out;
    }

    private static boolean isRegex(String term) {
        Matcher m = TERM_START.matcher(term);
        return m.find() && "~=".equals(m.group(2));
    }

    private static Op fromSymbol(String s) {
        for (Op o : Op.values()) {
            if (o.symbol.equals(s)) {
                return o;
            }
        }
        throw new IllegalStateException(s);
    }

    /** The number a text spells, or {@code null} (also for text too long to be a sensible number). */
    static BigDecimal number(String text) {
        if (text == null || text.length() > MAX_NUMBER_LENGTH || !NUMBER.matcher(text).matches()) {
            return null;
        }
        try {
            return new BigDecimal(text.startsWith("+") ? text.substring(1) : text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public String key() {
        return key;
    }

    public Op op() {
        return op;
    }

    public String value() {
        return value;
    }

    public boolean test(Event e) {
        return holds(e.field(key));
    }

    private boolean holds(String actual) {
        if (op == Op.NOT_EQUAL) {
            return actual == null || !actual.equals(value);
        }
        if (actual == null) {
            return false;
        }
        return switch (op) {
            case EQUAL -> actual.equals(value);
            case PREFIX -> actual.startsWith(value);
            case SUFFIX -> actual.endsWith(value);
            case CONTAINS -> actual.contains(value);
            case REGEX -> regex.matcher(actual).find();
            default -> compare(actual);
        };
    }

    private boolean compare(String actual) {
        BigDecimal n = number(actual);
        if (n == null) {
            return false;
        }
        int c = n.compareTo(number);
        return switch (op) {
            case GREATER -> c > 0;
            case GREATER_OR_EQUAL -> c >= 0;
            case LESS -> c < 0;
            default -> c <= 0;
        };
    }

    /** Why the term does not hold for the event, or {@code null} when it holds (for {@code simulate --explain}). */
    public String whyNot(Event e) {
        String actual = e.field(key);
        if (holds(actual)) {
            return null;
        }
        if (actual == null) {
            return "'" + this + "': the event has no field " + key;
        }
        if (op.numeric() && number(actual) == null) {
            return "'" + this + "': " + key + " is '" + abbreviate(actual) + "', not a number";
        }
        return "'" + this + "': " + key + " is '" + abbreviate(actual) + "'";
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FieldTerm t && t.key.equals(key) && t.op == op && t.value.equals(value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, op, value);
    }

    @Override
    public String toString() {
        return key + op.symbol + value;
    }
}
