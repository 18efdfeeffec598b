package org.falcosecurity.talon.contract;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.DefaultConfiguration;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The escapes of log lines and Kubernetes Event notes, character by character against the rule written out here, and
 * the {@code %safe} log converter ({@code ops/SafeLogText}) in a real log4j2 pattern layout.
 */
class SafeTextTest {

    /** The rule: CR, LF, TAB as \r \n \t; the other C0 controls, DEL, the C1 controls, U+2028 and U+2029 as \\uXXXX. */
    private static String expected(char c, boolean c0) {
        if (c < 0x20 && !c0) {
            return String.valueOf(c);
        }
        return switch (c) {
            case '\r' -> "\\r";
            case '\n' -> "\\n";
            case '\t' -> "\\t";
            default -> c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
                    ? String.format("\\u%04x", (int) c) : String.valueOf(c);
        };
    }

    @Test
    void escapesExactlyTheControlCharactersOfTheRule() {
        for (char c = 0; c < Character.MAX_VALUE; c++) {
            String s = "ab" + c + "cd" + c;
            StringBuilder logs = new StringBuilder("kept:");
            SafeText.escapeControls(s, logs);
            assertThat(logs.toString()).as("U+%04X", (int) c)
                    .isEqualTo("kept:ab" + expected(c, true) + "cd" + expected(c, true));
            StringBuilder json = new StringBuilder();
            SafeText.escapeBeyondJson(s, json);
            assertThat(json.toString()).as("U+%04X", (int) c)
                    .isEqualTo("ab" + expected(c, false) + "cd" + expected(c, false));
            assertThat(SafeText.needsEscape("\n" + s, 1)).as("U+%04X", (int) c)
                    .isEqualTo(!expected(c, true).equals(String.valueOf(c)));
        }
        assertThat(SafeText.escapeControls(null)).isEmpty();
        assertThat(SafeText.escapeControls("")).isEmpty();
    }

    @Test
    void theSafeConverterKeepsOneRecordOnOneLine() {
        PatternLayout layout = PatternLayout.newBuilder().withConfiguration(new DefaultConfiguration())
                .withPattern("[%level]\t%safe{%c{1} %m%notEmpty{ trace_id=%X{trace_id}}}%n").build();
        assertThat(layout.toSerializable(event("falco-talon.events", "event received: rule='plain'")))
                .isEqualTo("[INFO]\tevents event received: rule='plain'\n");
        assertThat(layout.toSerializable(event("x.Forged\u001b[31m", "a\r\n2026-12-01 INFO forged\u2028line\u0085")))
                .isEqualTo("[INFO]\tForged\\u001b[31m a\\r\\n2026-12-01 INFO forged\\u2028line\\u0085\n");
    }

    private static LogEvent event(String logger, String message) {
        return Log4jLogEvent.newBuilder().setLoggerName(logger).setLevel(Level.INFO)
                .setMessage(new SimpleMessage(message)).build();
    }
}
