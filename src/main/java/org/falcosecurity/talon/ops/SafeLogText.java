package org.falcosecurity.talon.ops;

import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.core.pattern.ConverterKeys;
import org.apache.logging.log4j.core.pattern.LogEventPatternConverter;
import org.apache.logging.log4j.core.pattern.PatternConverter;
import org.apache.logging.log4j.core.pattern.PatternFormatter;
import org.falcosecurity.talon.contract.SafeText;

import java.util.List;

/**
 * The {@code %safe{pattern}} converter of the text and color log layouts ({@code log4j2-text.xml},
 * {@code log4j2-color.xml}): renders the inner pattern, then writes every control character as an escape
 * ({@link SafeText#escapeControls}). Whatever an event, a log message, an MDC value or an exception holds, one
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
        // rendered in place; only a record that holds a control character is copied out and written back escaped
        // (every event is logged with print_all_events: this runs for each, on the log's writer thread)
        int start = toAppendTo.length();
        for (PatternFormatter f : formatters) {
            f.format(event, toAppendTo);
        }
        if (SafeText.needsEscape(toAppendTo, start)) {
            String inner = toAppendTo.substring(start);
            toAppendTo.setLength(start);
            SafeText.escapeControls(inner, toAppendTo);
        }
    }
}
