package org.falcosecurity.talon.notifiers;

import org.falcosecurity.talon.catalog.NotifierSpec;
import org.falcosecurity.talon.catalog.SettingSpec;
import org.falcosecurity.talon.config.TalonConfig;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One notifier's settings ({@code notifiers.<name>.*}, then {@code NOTIFIERS_<NAME>_<SETTING>}) with the defaults of
 * its declaration, read by the notifier beans. Secret settings are read here, in Java: they are never Camel
 * properties.
 */
public final class NotifierSettings {

    private final NotifierSpec spec;
    private final Map<String, Object> values;

    private NotifierSettings(NotifierSpec spec, Map<String, Object> values) {
        this.spec = spec;
        this.values = values;
    }

    public static NotifierSettings of(TalonConfig config, NotifierSpec spec) {
        return new NotifierSettings(spec, config.notifier(spec.name()));
    }

    /**
     * How many notifications the notifier sends at once ({@code notifiers.<name>.workers}): its declared default for
     * a built-in, else 1. A used notifier's value was checked at startup ({@link NotifierValidator}); the default
     * stands in for a value that is not valid, which only an unused notifier can have.
     */
    public static int workers(TalonConfig config, String notifier) {
        Optional<NotifierSpec> spec = BuiltinNotifiers.spec(notifier);
        SettingSpec setting = spec.map(s -> s.settings().get(NotifierSpec.WORKERS)).orElse(ROUTE_WORKERS);
        String value = spec.map(s -> of(config, s).string(NotifierSpec.WORKERS)).orElseGet(() -> {
            String set = routeWorkers(config, notifier);
            return set == null ? setting.defaultValue() : set;
        });
        return Integer.parseInt(setting.check().problem(value) == null ? value : setting.defaultValue());
    }

    /** The {@code workers} setting of a notifier route of routes_directory, which has no declaration. */
    static final SettingSpec ROUTE_WORKERS = NotifierSpec.workersSetting(1);

    /** A notifier route's {@code workers} as set (trimmed), or {@code null} when it is not set. */
    static String routeWorkers(TalonConfig config, String notifier) {
        Object v = config.notifier(notifier).get(NotifierSpec.WORKERS);
        return v == null ? null : String.valueOf(v).trim();
    }

    public String notifier() {
        return spec.name();
    }

    public NotifierSpec spec() {
        return spec;
    }

    /** Whether the setting is present in the config (defaults do not count). */
    public boolean isSet(String key) {
        Object v = values.get(key);
        return v != null && !String.valueOf(v).isBlank();
    }

    /** The setting as a trimmed string, else its declared default, else the empty string. */
    public String string(String key) {
        Object v = values.get(key);
        if (v == null || v instanceof Map || v instanceof Iterable) {
            SettingSpec s = spec.settings().get(key);
            return s == null ? "" : s.defaultValue();
        }
        return String.valueOf(v).trim();
    }

    public boolean bool(String key) {
        return "true".equals(string(key).toLowerCase(Locale.ROOT));
    }

    /**
     * A headers setting: a YAML mapping, or (from an environment variable) {@code Name: value, Name2: value2}.
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

    /** The settings as configured (for the validator). */
    Map<String, Object> raw() {
        return values;
    }
}
