package org.falcosecurity.talon.notifiers;

import org.falcosecurity.talon.catalog.NotifierSpec;
import org.falcosecurity.talon.config.Secrets;
import org.falcosecurity.talon.config.TalonConfig;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The notifiers' settings as Camel properties, for placeholders in notifier routes
 * ({@code {{notifiers.file.directory}}}, {@code {{notifiers.smtp.host_port}}}). Secret settings are left out (the
 * built-ins' declared secrets, and for other notifiers any setting whose name says it is one): routes read those
 * from beans.
 */
public final class NotifierProperties {

    private NotifierProperties() {
    }

    public static Map<String, String> of(TalonConfig config) {
        Set<String> names = NotifierValidator.configured(config);
        names.addAll(config.defaultNotifiers());
        Map<String, String> p = new LinkedHashMap<>();
        for (String name : names) {
            Optional<NotifierSpec> spec = BuiltinNotifiers.spec(name);
            config.notifier(name).forEach((k, v) -> {
                boolean secret = spec.map(s -> s.isSecret(k)).orElse(false) || Secrets.isSecretKey(k);
                if (!secret && v != null && !(v instanceof Map) && !(v instanceof Iterable)) {
                    p.put("notifiers." + name + "." + k, String.valueOf(v));
                }
            });
        }
        return p;
    }
}
