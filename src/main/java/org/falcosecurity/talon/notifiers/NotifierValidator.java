package org.falcosecurity.talon.notifiers;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import org.falcosecurity.talon.config.TalonConfig;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Checks the settings of the built-in notifiers at startup, so a missing {@code webhook_url} or a misspelt
 * {@code suffix} stops Talon with a clear message instead of losing every notification later. A built-in notifier is
 * checked when it has a {@code notifiers.<name>} section or is used (default_notifiers or a rule's notifiers).
 *
 * <p>Messages name the notifier and the setting; they never repeat the value of a secret setting or a URL (a URL may
 * carry a token).
 */
public final class NotifierValidator {

    private static final Pattern HEADER_NAME = Pattern.compile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$");
    private static final Pattern HOST_PORT = Pattern.compile("^([^:\\s/]+|\\[[0-9a-fA-F:.]+]):(\\d{1,5})$");
    private static final Pattern INDEX_NAME = Pattern.compile("^[a-z0-9][a-z0-9._-]*$");

    private NotifierValidator() {
    }

    /** Problems of the notifiers the config itself configures ({@code notifiers.*}) or uses (default_notifiers). */
    public static List<String> configProblems(TalonConfig config, boolean kubernetesConfigured) {
        Set<String> names = new TreeSet<>(config.notifiers().keySet());
        names.addAll(config.defaultNotifiers());
        return problems(config, names, kubernetesConfigured);
    }

    /**
     * Every problem with the settings of the given notifiers (names of user-defined notifiers are skipped).
     *
     * @param kubernetesConfigured whether Talon has a cluster to talk to ({@code k8sevents} needs one)
     */
    public static List<String> problems(TalonConfig config, Collection<String> names, boolean kubernetesConfigured) {
        List<String> problems = new ArrayList<>();
        for (String name : new TreeSet<>(names)) {
            List<String> known = TalonConfig.KNOWN_NOTIFIER_SETTINGS.get(name);
            if (known == null) {
                continue; // a notifier route of the user's own: its settings are its business
            }
            NotifierSettings s = NotifierSettings.of(config, name);
            for (String key : s.raw().keySet()) {
                if (!known.contains(key)) {
                    problems.add(where(name, key) + "unknown setting (known: "
                            + (known.isEmpty() ? "none" : String.join(", ", known)) + ")");
                }
            }
            check(name, s, problems);
            if (name.equals("k8sevents") && !kubernetesConfigured) {
                problems.add("notifiers.k8sevents: needs a Kubernetes cluster (in-cluster service account, kubeconfig"
                        + " or KUBECONFIG), and none is configured");
            }
        }
        return problems;
    }

    /** Whether a built-in notifier is configured (has a section) and its settings are valid. */
    public static boolean usable(TalonConfig config, String name) {
        return config.notifiers().containsKey(name) && problems(config, List.of(name), true).isEmpty();
    }

    private static void check(String name, NotifierSettings s, List<String> p) {
        switch (name) {
            case "slack" -> {
                url(s, "webhook_url", p);
                oneOf(s, "format", List.of("long", "short"), p);
            }
            case "loki" -> {
                url(s, "url", p);
                pair(s, "user", "api_key", p);
                headerValue(s, "tenant", p);
                headers(s, p);
            }
            case "elasticsearch", "opensearch" -> {
                url(s, "url", p);
                pair(s, "user", "password", p);
                if (!INDEX_NAME.matcher(s.string("index")).matches()) {
                    p.add(where(name, "index") + "must be a lower-case index name (letters, digits, '.', '_', '-'),"
                            + " got '" + s.string("index") + "'");
                }
                oneOf(s, "suffix", List.of("daily", "monthly", "annually", "none"), p);
                headers(s, p);
            }
            case "smtp" -> smtp(s, p);
            case "webhook" -> {
                url(s, "url", p);
                oneOf(s, "http_method", List.of("POST", "PUT", "PATCH"), p);
                headerValue(s, "user_agent", p);
                headerValue(s, "content_type", p);
                if (s.string("content_type").isEmpty()) {
                    p.add(where(name, "content_type") + "must not be empty");
                }
                headers(s, p);
            }
            default -> {
                // k8sevents has no settings; file has defaults for both of its settings
            }
        }
    }

    private static void smtp(NotifierSettings s, List<String> p) {
        String hostPort = s.string("host_port");
        if (hostPort.isEmpty()) {
            p.add(where(s, "host_port") + "required (host:port of the SMTP server)");
        } else {
            var m = HOST_PORT.matcher(hostPort);
            if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65535) {
                p.add(where(s, "host_port") + "must be host:port, got '" + hostPort + "'");
            }
        }
        address(s, "from", s.string("from"), p);
        String to = s.string("to");
        if (to.isEmpty() || to.replace(",", "").isBlank()) {
            p.add(where(s, "to") + "required (a comma-separated list of addresses)");
        } else {
            for (String a : to.split(",")) {
                if (!a.isBlank()) {
                    address(s, "to", a.trim(), p);
                }
            }
        }
        oneOf(s, "format", List.of("html", "text"), p);
        oneOf(s, "tls", List.of("true", "false"), p);
        pair(s, "user", "password", p);
    }

    private static void address(NotifierSettings s, String key, String value, List<String> p) {
        if (value.isEmpty()) {
            p.add(where(s, key) + "required (an e-mail address)");
            return;
        }
        try {
            new InternetAddress(value, true);
        } catch (AddressException e) {
            p.add(where(s, key) + "not a valid e-mail address: '" + value + "'");
        }
    }

    /** A required http(s) URL with a host; the value itself is never echoed (it may carry a token). */
    private static void url(NotifierSettings s, String key, List<String> p) {
        String v = s.string(key);
        if (v.isEmpty()) {
            p.add(where(s, key) + "required");
            return;
        }
        try {
            URI u = new URI(v);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || u.getHost() == null) {
                p.add(where(s, key) + "must be an http:// or https:// URL with a host");
            }
        } catch (URISyntaxException e) {
            p.add(where(s, key) + "not a valid URL (" + e.getReason() + ")");
        }
    }

    private static void oneOf(NotifierSettings s, String key, List<String> allowed, List<String> p) {
        String v = s.string(key);
        if (!allowed.contains(v)) {
            p.add(where(s, key) + "must be one of " + String.join(", ", allowed) + ", got '" + v + "'");
        }
    }

    /** Basic auth needs both halves; a half-set pair is a mistake, never silently ignored. */
    private static void pair(NotifierSettings s, String user, String secret, List<String> p) {
        if (s.isSet(user) != s.isSet(secret)) {
            p.add("notifiers." + s.notifier() + ": set both " + user + " and " + secret + ", or neither");
        }
    }

    private static void headerValue(NotifierSettings s, String key, List<String> p) {
        if (s.string(key).chars().anyMatch(c -> c == '\r' || c == '\n')) {
            p.add(where(s, key) + "must not contain line breaks");
        }
    }

    private static void headers(NotifierSettings s, List<String> p) {
        Object raw = s.raw().get("custom_headers");
        if (raw == null) {
            return;
        }
        if (!(raw instanceof Map) && !(raw instanceof String)) {
            p.add(where(s, "custom_headers") + "must be a mapping of header names to values");
            return;
        }
        if (raw instanceof String str) {
            for (String part : str.split(",")) {
                if (!part.isBlank() && part.indexOf(':') <= 0) {
                    p.add(where(s, "custom_headers") + "expected 'Name: value' pairs separated by commas");
                    return;
                }
            }
        }
        for (Map.Entry<String, String> h : s.headers("custom_headers").entrySet()) {
            if (!HEADER_NAME.matcher(h.getKey()).matches()) {
                p.add(where(s, "custom_headers") + "'" + h.getKey() + "' is not a valid HTTP header name");
            }
            if (h.getValue().chars().anyMatch(c -> c == '\r' || c == '\n')) {
                p.add(where(s, "custom_headers") + "the value of '" + h.getKey() + "' must not contain line breaks");
            }
        }
    }

    private static String where(NotifierSettings s, String key) {
        return where(s.notifier(), key);
    }

    private static String where(String notifier, String key) {
        return "notifiers." + notifier + "." + key + ": ";
    }
}
