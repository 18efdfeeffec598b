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
