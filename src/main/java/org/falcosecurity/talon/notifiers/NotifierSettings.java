package org.falcosecurity.talon.notifiers;

import org.falcosecurity.talon.config.TalonConfig;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One notifier's settings ({@code notifiers.<name>.*}) with the reference defaults applied, read by the notifier
 * beans. Secret settings are read here, in Java, because they are never exposed as Camel properties.
 */
public final class NotifierSettings {

    /** Reference defaults (see the README section "Notifiers"). */
    private static final Map<String, Map<String, String>> DEFAULTS = Map.of(
            "slack", Map.of(
                    "icon", "https://upload.wikimedia.org/wikipedia/commons/2/26/Circaetus_gallicus_claw.jpg",
                    "username", "Falco Talon",
                    "footer", "https://github.com/Issif/falco-talon",
                    "format", "long"),
            "elasticsearch", Map.of("index", "falco-talon", "suffix", "daily"),
            "opensearch", Map.of("index", "falco-talon", "suffix", "daily"),
            "smtp", Map.of("format", "html", "tls", "false"),
            "webhook", Map.of(
                    "http_method", "POST",
                    "user_agent", "Falco-Talon",
                    "content_type", "application/json; charset=utf-8"));

    private final String notifier;
    private final Map<String, Object> values;

    private NotifierSettings(String notifier, Map<String, Object> values) {
        this.notifier = notifier;
        this.values = values;
    }

    public static NotifierSettings of(TalonConfig config, String notifier) {
        return new NotifierSettings(notifier, config.notifier(notifier));
    }

    public String notifier() {
        return notifier;
    }

    /** Whether the setting is present in the config (defaults do not count). */
    public boolean isSet(String key) {
        Object v = values.get(key);
        return v != null && !String.valueOf(v).isBlank();
    }

    /** The setting as a trimmed string, else its default, else the empty string. */
    public String string(String key) {
        Object v = values.get(key);
        if (v == null || v instanceof Map || v instanceof Iterable) {
            return DEFAULTS.getOrDefault(notifier, Map.of()).getOrDefault(key, "");
        }
        return String.valueOf(v).trim();
    }

    public boolean bool(String key) {
        return "true".equals(string(key).toLowerCase(Locale.ROOT));
    }

    /**
     * {@code custom_headers}: a YAML mapping, or (from an environment variable) {@code Name: value, Name2: value2}.
     * Malformed entries are reported by {@link NotifierValidator}; here they are skipped.
     */
    public Map<String, String> headers(String key) {
        Map<String, String> out = new LinkedHashMap<>();
        Object v = values.get(key);
        if (v instanceof Map<?, ?> m) {
            m.forEach((k, val) -> {
                if (k != null && val != null) {
                    out.put(String.valueOf(k).trim(), String.valueOf(val).trim());
                }
            });
        } else if (v != null) {
            for (String part : String.valueOf(v).split(",")) {
                int colon = part.indexOf(':');
                if (colon > 0) {
                    out.put(part.substring(0, colon).trim(), part.substring(colon + 1).trim());
                }
            }
        }
        return out;
    }

    /** The raw settings map (for the validator). */
    Map<String, Object> raw() {
        return values;
    }
}
