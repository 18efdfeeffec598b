package org.falcosecurity.talon.ops;

import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.core.pattern.ConverterKeys;
import org.apache.logging.log4j.core.pattern.LogEventPatternConverter;
import org.apache.logging.log4j.core.pattern.PatternConverter;
import org.apache.logging.log4j.core.pattern.PatternFormatter;

import java.util.List;

/**
 * The {@code %safe{pattern}} converter of the text and color log layouts ({@code log4j2-text.xml},
 * {@code log4j2-color.xml}): renders the inner pattern, then writes every control character as an escape —
 * {@code \r}, {@code \n}, {@code \t}, and {@code \}{@code uXXXX} for the other C0 and C1 controls, DEL, and the
 * Unicode line and paragraph separators. Whatever an event, a log message, an MDC value or an exception holds, one
 * log record is one line, and no ANSI escape from event data reaches a terminal. (log4j2's {@code %enc{}{CRLF}}
 * only handles CR and LF.)
 */
@Plugin(name = "TalonSafeText", category = PatternConverter.CATEGORY)
@ConverterKeys({"safe"})
public final class SafeLogText extends LogEventPatternConverter {

    private final List<PatternFormatter> formatters;

    private SafeLogText(List<PatternFormatter> formatters) {
        super("safe", "safe");
        this.formatters = formatters;
    }

    /** Called by log4j2 for {@code %safe{...}}. */
    public static SafeLogText newInstance(Configuration config, String[] options) {
        if (options == null || options.length != 1 || options[0] == null) {
            throw new IllegalArgumentException("%safe takes one pattern: %safe{%m}");
        }
        return new SafeLogText(PatternLayout.createPatternParser(config).parse(options[0]));
    }

    @Override
    public boolean handlesThrowable() {
        return formatters.stream().anyMatch(PatternFormatter::handlesThrowable);
    }

    @Override
    public void format(LogEvent event, StringBuilder toAppendTo) {
        StringBuilder inner = new StringBuilder();
        for (PatternFormatter f : formatters) {
            f.format(event, inner);
        }
        escape(inner, toAppendTo);
    }

    /** Appends {@code s} with its control characters escaped. */
    public static void escape(CharSequence s, StringBuilder out) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
                        out.append("\\u").append(String.format("%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }

    /** {@code s} with its control characters escaped. */
    public static String escape(CharSequence s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        escape(s, sb);
        return sb.toString();
    }
}
