package org.falcosecurity.talon.catalog;

/**
 * One setting of a built-in notifier ({@code notifiers.<name>.<setting>}, or {@code NOTIFIERS_<NAME>_<SETTING>}).
 * Values are checked as the text they hold (an environment variable is always text); {@link Kind#HEADERS} is a
 * mapping or {@code Name: value, Name2: value2}.
 *
 * @param name         the setting name
 * @param kind         its shape
 * @param defaultValue the value when it is not set, or empty
 * @param required     whether a configured notifier must set it
 * @param secret       whether its value is a secret (never a Camel property, never printed)
 * @param check        a check of a set value's text; {@code null} for none
 * @param description  one line for the reference and {@code notifiers list}
 * @param requiredHint what a required setting holds, for the "required" message (may be empty)
 */
public record SettingSpec(String name, Kind kind, String defaultValue, boolean required, boolean secret,
                          Check check, String description, String requiredHint) {

    public enum Kind {
        TEXT("string"), FLAG("boolean"), HEADERS("map of headers"), INTEGER("integer");

        private final String shortName;

        Kind(String shortName) {
            this.shortName = shortName;
        }

        public String shortName() {
            return shortName;
        }
    }

    /** Checks a set value's text. */
    @FunctionalInterface
    public interface Check {
        /** @return what is wrong with {@code value}, or {@code null} */
        String problem(String value);
    }

    public static SettingSpec text(String name, String description) {
        return new SettingSpec(name, Kind.TEXT, "", false, false, null, description, "");
    }

    public static SettingSpec flag(String name, boolean defaultValue, String description) {
        return new SettingSpec(name, Kind.FLAG, String.valueOf(defaultValue), false, false,
                v -> v.equals("true") || v.equals("false") ? null : "must be true or false, got '" + v + "'",
                description, "");
    }

    /** A whole number from {@code min} to {@code max}. */
    public static SettingSpec integer(String name, int defaultValue, int min, int max, String description) {
        return new SettingSpec(name, Kind.INTEGER, String.valueOf(defaultValue), false, false, v -> {
            try {
                int n = Integer.parseInt(v);
                return n >= min && n <= max ? null : "must be from " + min + " to " + max + ", got " + n;
            } catch (NumberFormatException e) {
                return "must be a whole number from " + min + " to " + max + ", got '" + v + "'";
            }
        }, description, "");
    }

    public static SettingSpec headers(String name, String description) {
        return new SettingSpec(name, Kind.HEADERS, "", false, false, null, description, "");
    }

    public SettingSpec asRequired() {
        return asRequired("");
    }

    /** Required; the hint says what it holds ({@code host:port of the SMTP server}). */
    public SettingSpec asRequired(String hint) {
        return new SettingSpec(name, kind, defaultValue, true, secret, check, description, hint);
    }

    public SettingSpec asSecret() {
        return new SettingSpec(name, kind, defaultValue, required, true, check, description, requiredHint);
    }

    public SettingSpec withDefault(String value) {
        return new SettingSpec(name, kind, value, required, secret, check, description, requiredHint);
    }

    public SettingSpec withCheck(Check c) {
        Check first = check;
        return new SettingSpec(name, kind, defaultValue, required, secret,
                first == null ? c : v -> {
                    String p = first.problem(v);
                    return p != null ? p : c.problem(v);
                }, description, requiredHint);
    }
}
