package org.falcosecurity.talon.support;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reads facts out of human-readable text (a mail body, an event note, a chat field) so a test asserts what the text
 * says, not how one implementation happens to lay it out: which value a name has, which labelled lines there are.
 */
public final class Facts {

    private Facts() {
    }

    /**
     * The value the text gives {@code name}: the word after it and a short separator ({@code pod=web-1},
     * {@code pod: web-1}, {@code pod web-1}), or null when the name is not there.
     */
    public static String valueOf(String text, String name) {
        Matcher m = Pattern.compile("(?<![\\w.-])" + Pattern.quote(name) + "[\\s=:]{1,3}([\\w./-]+)").matcher(text);
        return m.find() ? m.group(1) : null;
    }

    /** The text names {@code name} with {@code value}, wherever it says so. */
    public static void assertNames(String text, String name, String value) {
        assertThat(valueOf(text, name)).as("%s in: %s", name, text).isEqualTo(value);
    }

    /** {@code Label: value} lines, label to value, in order; a line without a label continues the one before. */
    public static Map<String, String> labelled(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        String last = null;
        for (String line : text.replace("\r\n", "\n").split("\n")) {
            Matcher m = Pattern.compile("^([A-Z][A-Za-z ]*): (.*)$").matcher(line);
            if (m.matches()) {
                last = m.group(1);
                out.put(last, m.group(2));
            } else if (last != null) {
                out.put(last, out.get(last) + "\n" + line);
            }
        }
        return out;
    }
}
