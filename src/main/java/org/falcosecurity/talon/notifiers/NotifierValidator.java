package org.falcosecurity.talon.notifiers;

import org.falcosecurity.talon.catalog.NotifierSpec;
import org.falcosecurity.talon.catalog.Problem;
import org.falcosecurity.talon.catalog.SettingSpec;
import org.falcosecurity.talon.catalog.Suggestions;
import org.falcosecurity.talon.config.TalonConfig;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Checks the settings of the built-in notifiers against their declarations, at startup and when rules reload, so a
 * missing {@code webhook_url} or a misspelt {@code suffix} stops Talon with a clear message instead of losing every
 * notification later. A built-in notifier is checked when it is configured (a {@code notifiers.<name>} section or
 * its environment variables) or used (default_notifiers or a rule's notifiers).
 *
 * <p>Messages name the notifier and the setting; they never repeat the value of a secret setting or a URL (a URL may
 * carry a token).
 */
public final class NotifierValidator {

    private static final Pattern HEADER_NAME = Pattern.compile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$");

    private NotifierValidator() {
    }

    /**
     * The notifiers the config configures: a section, or environment variables. A built-in notifier's section that
     * sets none of its required settings (upstream's Helm chart always renders empty {@code slack}, {@code smtp},
     * {@code loki}, ... sections) is not configured: it is ignored unless default_notifiers or a rule uses it.
     */
    public static Set<String> configured(TalonConfig config) {
        Set<String> names = new TreeSet<>();
        for (String n : config.notifiers().keySet()) {
            if (BuiltinNotifiers.spec(n).map(spec -> !notConfigured(config, spec)).orElse(true)) {
                names.add(n);
            }
        }
        for (NotifierSpec spec : BuiltinNotifiers.ALL.stream().map(BuiltinNotifier::spec).toList()) {
            if (config.hasNotifierEnvironment(spec.name()) && !notConfigured(config, spec)) {
                names.add(spec.name());
            }
        }
        return names;
    }

    /** Whether a built-in notifier has required settings and none of them is set (defaults do not count). */
    static boolean notConfigured(TalonConfig config, NotifierSpec spec) {
        NotifierSettings s = NotifierSettings.of(config, spec);
        List<SettingSpec> required = spec.settings().values().stream().filter(SettingSpec::required).toList();
        return !required.isEmpty() && required.stream().noneMatch(r -> s.isSet(r.name()));
    }

    /** Problems of the notifiers the config itself configures or uses (default_notifiers). */
    public static List<String> configProblems(TalonConfig config, boolean kubernetesConfigured) {
        Set<String> names = configured(config);
        names.addAll(config.defaultNotifiers());
        names.addAll(config.audit().notifiers());
        return problems(config, names, kubernetesConfigured);
    }

    /**
     * Every problem with the settings of the given notifiers (of a user-defined notifier only {@code workers} is
     * checked: its other settings are its route's business).
     *
     * @param kubernetesConfigured whether Talon has a cluster to talk to (a notifier may need one)
     */
    public static List<String> problems(TalonConfig config, Collection<String> names, boolean kubernetesConfigured) {
        List<String> problems = new ArrayList<>();
        for (String name : new TreeSet<>(names)) {
            Optional<NotifierSpec> spec = BuiltinNotifiers.spec(name);
            if (spec.isPresent()) {
                check(NotifierSettings.of(config, spec.get()), kubernetesConfigured, problems);
            } else {
                // a notifier route's settings are its own, except the queue's workers, which Talon reads
                String workers = NotifierSettings.routeWorkers(config, name);
                String problem = workers == null ? null : NotifierSettings.ROUTE_WORKERS.check().problem(workers);
                if (problem != null) {
                    problems.add("notifiers." + name + "." + NotifierSpec.WORKERS + ": " + problem);
                }
            }
        }
        return problems;
    }

    /** Whether a built-in notifier is configured and its settings are valid (its component may be set up). */
    public static boolean usable(TalonConfig config, NotifierSpec spec) {
        if (!configured(config).contains(spec.name())) {
            return false;
        }
        List<String> problems = new ArrayList<>();
        check(NotifierSettings.of(config, spec), true, problems);
        return problems.isEmpty();
    }

    private static void check(NotifierSettings s, boolean kubernetesConfigured, List<String> p) {
        NotifierSpec spec = s.spec();
        Map<String, SettingSpec> known = spec.settings();
        for (String key : s.raw().keySet()) {
            if (!known.containsKey(key)) {
                String hint = spec.renamed().containsKey(key) ? "upstream renamed it " + spec.renamed().get(key) + "; "
                        : Suggestions.closest(key, known.keySet()).map(k -> "did you mean " + k + "? ").orElse("");
                p.add(where(s, key) + "unknown setting (" + hint + "known: "
                        + (known.isEmpty() ? "none" : String.join(", ", known.keySet())) + ")");
            }
        }
        for (SettingSpec setting : known.values()) {
            String value = s.string(setting.name());
            if (setting.kind() == SettingSpec.Kind.HEADERS) {
                headers(s, setting.name(), p);
            } else if (value.isEmpty()) {
                if (setting.required()) {
                    p.add(where(s, setting.name()) + "required"
                            + (setting.requiredHint().isEmpty() ? "" : " (" + setting.requiredHint() + ")"));
                }
            } else if (setting.check() != null) {
                String problem = setting.check().problem(value);
                if (problem != null) {
                    p.add(where(s, setting.name()) + problem);
                }
            }
        }
        for (NotifierSpec.Constraint c : spec.constraints()) {
            for (Problem problem : c.problems(s::string)) {
                p.add("notifiers." + spec.name() + (problem.field().isEmpty() ? "" : "." + problem.field()) + ": "
                        + problem.message());
            }
        }
        if (spec.needsCluster() && !kubernetesConfigured) {
            p.add("notifiers." + spec.name() + ": needs a Kubernetes cluster (in-cluster service account, kubeconfig"
                    + " or KUBECONFIG), and none is configured");
        }
    }

    // ---- checks the declarations use ----

    /** An http(s) URL with a host; the value itself is never echoed (it may carry a token). */
    static String url(String v) {
        try {
            URI u = new URI(v);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || u.getHost() == null) {
                return "must be an http:// or https:// URL with a host";
            }
            return null;
        } catch (URISyntaxException e) {
            return "not a valid URL (" + e.getReason() + ")";
        }
    }

    static SettingSpec.Check oneOf(String... allowed) {
        List<String> ok = List.of(allowed);
        return v -> ok.contains(v) ? null : "must be one of " + String.join(", ", ok) + ", got '" + v + "'";
    }

    /** A value sent as an HTTP header: no line breaks. */
    static String headerValue(String v) {
        return v.chars().anyMatch(c -> c == '\r' || c == '\n') ? "must not contain line breaks" : null;
    }

    private static void headers(NotifierSettings s, String key, List<String> p) {
        Object raw = s.raw().get(key);
        if (raw == null) {
            return;
        }
        if (!(raw instanceof Map) && !(raw instanceof String)) {
            p.add(where(s, key) + "must be a mapping of header names to values");
            return;
        }
        if (raw instanceof String str) {
            for (String part : str.split(",")) {
                if (!part.isBlank() && part.indexOf(':') <= 0) {
                    p.add(where(s, key) + "expected 'Name: value' pairs separated by commas");
                    return;
                }
            }
        }
        for (Map.Entry<String, String> h : s.headers(key).entrySet()) {
            if (!HEADER_NAME.matcher(h.getKey()).matches()) {
                p.add(where(s, key) + "'" + h.getKey() + "' is not a valid HTTP header name");
            }
            if (headerValue(h.getValue()) != null) {
                p.add(where(s, key) + "the value of '" + h.getKey() + "' must not contain line breaks");
            }
        }
    }

    private static String where(NotifierSettings s, String key) {
        return "notifiers." + s.notifier() + "." + key + ": ";
    }
}
