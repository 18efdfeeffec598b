package org.falcosecurity.talon.contract;

/**
 * Event text written where a line break or a terminal escape means something (log lines, a Kubernetes Event's note):
 * every control character becomes an escape — {@code \r}, {@code \n}, {@code \t}, and {@code \}{@code uXXXX} for
 * the other C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
 */
public final class SafeText {

    private SafeText() {
    }

    /** Appends {@code s} with its control characters escaped. */
    public static void escapeControls(CharSequence s, StringBuilder out) {
        escape(s, out, true);
    }

    /**
     * Appends {@code s} for a JSON string: the characters a JSON writer leaves as they are but that break lines
     * (for line readers such as Python's {@code splitlines}) or drive terminals — DEL, the C1 controls (NEL, CSI, ...),
     * U+2028 and U+2029 — become {@code \}{@code uXXXX} text; the C0 controls (CR, LF, ESC, ...) are left to the
     * writer's own JSON escapes.
     */
    public static void escapeBeyondJson(CharSequence s, StringBuilder out) {
        escape(s, out, false);
    }

    /** Whether {@code s} from {@code from} on holds a character {@link #escapeControls} changes. */
    public static boolean needsEscape(CharSequence s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (escaped(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private static boolean escaped(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }

    private static void escape(CharSequence s, StringBuilder out, boolean c0) {
        int plain = 0; // the start of the run of characters not yet appended, which are all written as they are
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!escaped(c) || (c < 0x20 && !c0)) {
                continue;
            }
            out.append(s, plain, i);
            plain = i + 1;
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf])
                        .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
            }
        }
        out.append(s, plain, s.length());
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** {@code s} with its control characters escaped ({@code null}: empty). */
    public static String escapeControls(CharSequence s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length() + 8);
        escapeControls(s, sb);
        return sb.toString();
    }
}
