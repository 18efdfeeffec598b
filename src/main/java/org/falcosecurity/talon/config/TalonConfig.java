package org.falcosecurity.talon.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Talon's static configuration: a YAML file, overridden by environment variables (the key upper-cased, {@code .}
 * turned into {@code _}: {@code LISTEN_PORT}, {@code NOTIFIERS_SLACK_WEBHOOK_URL}). Unknown keys are errors, so a
 * misspelt {@code dry_run} never goes unnoticed.
 */
public final class TalonConfig {

    /** Notifiers and the settings they read; used to map environment variables onto {@code notifiers.*}. */
    public static final Map<String, List<String>> KNOWN_NOTIFIER_SETTINGS = Map.of(
            "k8sevents", List.of(),
            "slack", List.of("webhook_url", "icon", "username", "footer", "format"),
            "loki", List.of("url", "user", "api_key", "tenant", "custom_headers"),
            "elasticsearch", List.of("url", "user", "password", "index", "suffix", "custom_headers"),
            "opensearch", List.of("url", "user", "password", "index", "suffix", "custom_headers"),
            "smtp", List.of("host_port", "user", "password", "from", "to", "format", "tls"),
            "webhook", List.of("url", "http_method", "user_agent", "content_type", "custom_headers"),
            "file", List.of("directory", "filename"));

    private static final ObjectMapper YAML = YAMLMapper.builder(
            YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build()).build();

    private final Map<String, Object> values;
    private final Map<String, Map<String, Object>> notifiers;
    private final String source;

    private TalonConfig(Map<String, Object> values, Map<String, Map<String, Object>> notifiers, String source) {
        this.values = Collections.unmodifiableMap(values);
        this.notifiers = Collections.unmodifiableMap(notifiers);
        this.source = source;
    }

    public static final Path DEFAULT_CONFIG = Path.of("/etc/falco-talon/config.yaml");
    public static final String PACKAGED_CONFIG = "config.yaml";

    /**
     * Finds and loads the config: the {@code -c} file (which must exist); else {@code /etc/falco-talon/config.yaml};
     * else {@code config.yaml} in the working directory; else the packaged default.
     */
    public static TalonConfig resolve(Path flag, Path defaultConfig, Map<String, String> env) throws ConfigException {
        if (flag != null) {
            return load(flag, true, env);
        }
        if (defaultConfig != null && Files.isRegularFile(defaultConfig)) {
            return load(defaultConfig, true, env);
        }
        Path local = Path.of(PACKAGED_CONFIG);
        if (Files.isRegularFile(local)) {
            return load(local, true, env);
        }
        return loadResource(PACKAGED_CONFIG, env);
    }

    /** Defaults only, plus the environment. */
    public static TalonConfig fromEnvironment(Map<String, String> env) throws ConfigException {
        return parse(null, "defaults", env);
    }

    /**
     * Loads a config file.
     *
     * @param file     the file, or {@code null} for defaults only
     * @param explicit whether the user named the file: a missing explicit file is an error, a missing default is not
     */
    public static TalonConfig load(Path file, boolean explicit, Map<String, String> env) throws ConfigException {
        if (file == null || (!explicit && !Files.exists(file))) {
            return parse(null, "defaults", env);
        }
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(List.of(file + ": config file not found"));
        }
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString(), env);
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot read: " + e.getMessage()));
        }
    }

    /** Loads a config from the classpath (the packaged default). */
    public static TalonConfig loadResource(String resource, Map<String, String> env) throws ConfigException {
        try (InputStream in = TalonConfig.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return parse(null, "defaults", env);
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "classpath:" + resource, env);
        } catch (IOException e) {
            throw new ConfigException(List.of("classpath:" + resource + ": cannot read: " + e.getMessage()));
        }
    }

    @SuppressWarnings("unchecked")
    public static TalonConfig parse(String yamlText, String sourceName, Map<String, String> env)
            throws ConfigException {
        List<String> errors = new ArrayList<>();
        Map<String, Object> tree = new LinkedHashMap<>();
        if (yamlText != null && !yamlText.isBlank()) {
            try {
                Object root = YAML.readValue(yamlText, Object.class);
                if (root instanceof Map<?, ?> m) {
                    tree = (Map<String, Object>) m;
                } else if (root != null) {
                    throw new ConfigException(List.of(sourceName + ": expected a mapping of settings"));
                }
            } catch (JsonProcessingException e) {
                String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
                throw new ConfigException(List.of(sourceName + ": not valid YAML" + where + ": "
                        + e.getOriginalMessage()));
            }
        }

        Map<String, Object> values = new LinkedHashMap<>();
        Set<String> seen = new LinkedHashSet<>();
        for (ConfigKey k : ConfigKey.ALL) {
            Object raw = lookup(tree, k.name());
            String from = sourceName;
            String envValue = env.get(k.envName());
            if (envValue != null) {
                raw = envValue;
                from = "environment variable " + k.envName();
            }
            seen.add(k.name().contains(".") ? k.name().substring(0, k.name().indexOf('.')) : k.name());
            values.put(k.name(), raw == null ? k.defaultValue() : coerce(k, raw, from, errors));
        }
        seen.add("notifiers");
        for (String top : tree.keySet()) {
            if (!seen.contains(top)) {
                errors.add(sourceName + ": " + top + ": unknown setting (known: "
                        + String.join(", ", new TreeMap<>(topLevelKeys()).keySet()) + ")");
            }
        }
        for (ConfigKey k : ConfigKey.ALL) {
            if (k.name().contains(".")) {
                String parent = k.name().substring(0, k.name().indexOf('.'));
                if (tree.get(parent) instanceof Map<?, ?> sub) {
                    for (Object child : sub.keySet()) {
                        if (ConfigKey.ALL.stream().noneMatch(c -> c.name().equals(parent + "." + child))) {
                            errors.add(sourceName + ": " + parent + "." + child + ": unknown setting");
                        }
                    }
                }
            }
        }

        Map<String, Map<String, Object>> notifiers = new TreeMap<>();
        Object n = tree.get("notifiers");
        if (n instanceof Map<?, ?> nm) {
            for (Map.Entry<?, ?> e : nm.entrySet()) {
                String name = String.valueOf(e.getKey());
                if (e.getValue() == null) {
                    notifiers.put(name, new LinkedHashMap<>());
                } else if (e.getValue() instanceof Map<?, ?> settings) {
                    Map<String, Object> s = new LinkedHashMap<>();
                    settings.forEach((sk, sv) -> s.put(String.valueOf(sk), sv));
                    notifiers.put(name, s);
                } else {
                    errors.add(sourceName + ": notifiers." + name + ": must be a mapping of settings");
                }
            }
        } else if (n != null) {
            errors.add(sourceName + ": notifiers: must be a mapping of notifier names to settings");
        }
        applyNotifierEnv(env, notifiers, (List<String>) values.get("default_notifiers"));

        validateRanges(values, errors, sourceName);
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return new TalonConfig(values, notifiers, sourceName);
    }

    /** {@code NOTIFIERS_<NAME>_<SETTING>} for a built-in notifier or one named in the file or default_notifiers. */
    private static void applyNotifierEnv(Map<String, String> env, Map<String, Map<String, Object>> notifiers,
                                         List<String> defaults) {
        Set<String> names = new LinkedHashSet<>(KNOWN_NOTIFIER_SETTINGS.keySet());
        names.addAll(notifiers.keySet());
        names.addAll(defaults);
        List<String> byLength = new ArrayList<>(names);
        byLength.sort(Comparator.comparingInt(String::length).reversed());
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String var = e.getKey();
            if (!var.startsWith("NOTIFIERS_")) {
                continue;
            }
            String rest = var.substring("NOTIFIERS_".length());
            for (String name : byLength) {
                String prefix = name.toUpperCase(Locale.ROOT) + "_";
                if (rest.startsWith(prefix) && rest.length() > prefix.length()) {
                    String setting = rest.substring(prefix.length()).toLowerCase(Locale.ROOT);
                    notifiers.computeIfAbsent(name, k -> new LinkedHashMap<>()).put(setting, e.getValue());
                    break;
                }
            }
        }
    }

    private static void validateRanges(Map<String, Object> values, List<String> errors, String src) {
        Object port = values.get("listen_port");
        if (port instanceof Integer p && (p < 1 || p > 65535)) {
            errors.add(src + ": listen_port: must be between 1 and 65535, got " + p);
        }
        Object fmt = values.get("log_format");
        if (fmt instanceof String f && !List.of("color", "text", "json").contains(f)) {
            errors.add(src + ": log_format: must be one of color, text, json, got '" + f + "'");
        }
        for (String k : List.of("max_body_bytes", "queue_size", "workers", "deduplication.max_entries",
                "blast_radius.window_seconds")) {
            if (values.get(k) instanceof Integer i && i < 1) {
                errors.add(src + ": " + k + ": must be 1 or more, got " + i);
            }
        }
        for (String k : List.of("deduplication.time_window_seconds", "blast_radius.max_actions",
                "blast_radius.max_actions_per_rule", "blast_radius.max_actions_per_workload")) {
            if (values.get(k) instanceof Integer i && i < 0) {
                errors.add(src + ": " + k + ": must be 0 or more, got " + i);
            }
        }
        oneOf(values, "deduplication.key", List.of("output", "pod"), errors, src);
        oneOf(values, "tls.client_auth", List.of("none", "want", "require"), errors, src);
        if (!"".equals(values.get("auth.token")) && !"".equals(values.get("auth.token_file"))) {
            errors.add(src + ": auth: set auth.token or auth.token_file, not both");
        }
        if ("".equals(values.get("tls.keystore")) && !"none".equals(values.get("tls.client_auth"))) {
            errors.add(src + ": tls.client_auth: needs tls.keystore (mutual TLS runs on HTTPS)");
        }
        if (!"".equals(values.get("tls.keystore")) && !"none".equals(values.get("tls.client_auth"))
                && "".equals(values.get("tls.truststore"))) {
            errors.add(src + ": tls.client_auth: needs tls.truststore (the CAs of accepted client certificates)");
        }
        KafkaSettings.validate(values, errors, src);
        for (String k : List.of("auth.token_file", "tls.keystore", "tls.truststore")) {
            Object f = values.get(k);
            if (f instanceof String path && !path.isEmpty() && !Files.isReadable(Path.of(path))) {
                errors.add(src + ": " + k + ": cannot read " + path);
            }
        }
    }

    private static void oneOf(Map<String, Object> values, String key, List<String> allowed, List<String> errors,
                              String src) {
        Object v = values.get(key);
        if (v instanceof String s && !allowed.contains(s)) {
            errors.add(src + ": " + key + ": must be one of " + String.join(", ", allowed) + ", got '" + s + "'");
        }
    }

    private static Map<String, ConfigKey> topLevelKeys() {
        Map<String, ConfigKey> m = new LinkedHashMap<>();
        for (ConfigKey k : ConfigKey.ALL) {
            m.put(k.name().contains(".") ? k.name().substring(0, k.name().indexOf('.')) : k.name(), k);
        }
        m.put("notifiers", null);
        return m;
    }

    private static Object lookup(Map<String, Object> tree, String dotted) {
        Object cur = tree;
        for (String part : dotted.split("\\.")) {
            if (!(cur instanceof Map<?, ?> m)) {
                return null;
            }
            cur = m.get(part);
        }
        return cur;
    }

    private static Object coerce(ConfigKey k, Object raw, String from, List<String> errors) {
        String where = from + ": " + k.name() + ": ";
        switch (k.type()) {
            case STRING:
                if (raw instanceof String || raw instanceof Number || raw instanceof Boolean) {
                    return String.valueOf(raw);
                }
                errors.add(where + "must be a string");
                return k.defaultValue();
            case INTEGER:
                if (raw instanceof Integer i) {
                    return i;
                }
                try {
                    return Integer.parseInt(String.valueOf(raw).trim());
                } catch (NumberFormatException e) {
                    errors.add(where + "must be an integer, got '" + raw + "'");
                    return k.defaultValue();
                }
            case BOOLEAN:
                if (raw instanceof Boolean b) {
                    return b;
                }
                String s = String.valueOf(raw).trim().toLowerCase(Locale.ROOT);
                if (s.equals("true") || s.equals("false")) {
                    return Boolean.parseBoolean(s);
                }
                errors.add(where + "must be true or false, got '" + raw + "'");
                return k.defaultValue();
            case LIST:
                List<String> out = new ArrayList<>();
                if (raw instanceof List<?> l) {
                    for (Object o : l) {
                        if (o instanceof Map || o instanceof List || o == null) {
                            errors.add(where + "must be a list of strings");
                            return k.defaultValue();
                        }
                        out.add(String.valueOf(o).trim());
                    }
                } else if (raw instanceof String str) {
                    for (String p : str.split(",")) {
                        if (!p.isBlank()) {
                            out.add(p.trim());
                        }
                    }
                } else {
                    errors.add(where + "must be a list of strings (or a comma-separated string)");
                    return k.defaultValue();
                }
                return List.copyOf(out);
            default:
                throw new IllegalStateException();
        }
    }

    // ------------------------------------------------------------------ accessors

    public String source() {
        return source;
    }

    public Object get(String key) {
        if (!values.containsKey(key)) {
            throw new IllegalArgumentException("unknown config key " + key);
        }
        return values.get(key);
    }

    public String string(String key) {
        return (String) get(key);
    }

    public int integer(String key) {
        return (Integer) get(key);
    }

    public boolean bool(String key) {
        return (Boolean) get(key);
    }

    @SuppressWarnings("unchecked")
    public List<String> list(String key) {
        return (List<String>) get(key);
    }

    public String listenAddress() {
        return string("listen_address");
    }

    public int listenPort() {
        return integer("listen_port");
    }

    public List<String> rulesFiles() {
        return list("rules_files");
    }

    public boolean watchRules() {
        return bool("watch_rules");
    }

    public boolean printAllEvents() {
        return bool("print_all_events");
    }

    public String kubeconfig() {
        return string("kubeconfig");
    }

    public String logFormat() {
        return string("log_format");
    }

    public List<String> defaultNotifiers() {
        return list("default_notifiers");
    }

    public boolean dryRun() {
        return bool("dry_run");
    }

    /** The intake's bearer token (from auth.token or auth.token_file), or empty when the intake is open. */
    public String authToken() {
        String t = string("auth.token");
        String f = string("auth.token_file");
        if (!f.isEmpty()) {
            try {
                return Files.readString(Path.of(f), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalStateException("cannot read auth.token_file " + f + ": " + e.getMessage());
            }
        }
        return t;
    }

    /** Settings of every configured notifier, by name. */
    public Map<String, Map<String, Object>> notifiers() {
        return notifiers;
    }

    /** Settings of one notifier (empty when not configured). */
    public Map<String, Object> notifier(String name) {
        return notifiers.getOrDefault(name, Map.of());
    }

    /** A copy with some values replaced (used by the CLI flags and by tests). */
    public TalonConfig with(Map<String, Object> overrides) {
        Map<String, Object> v = new LinkedHashMap<>(values);
        overrides.forEach((k, val) -> {
            if (!v.containsKey(k)) {
                throw new IllegalArgumentException("unknown config key " + k);
            }
            v.put(k, val);
        });
        return new TalonConfig(v, notifiers, source);
    }

    /** A copy with one notifier's settings replaced. */
    public TalonConfig withNotifier(String name, Map<String, Object> settings) {
        Map<String, Map<String, Object>> n = new TreeMap<>(notifiers);
        n.put(name, Map.copyOf(settings));
        return new TalonConfig(values, n, source);
    }

    /**
     * Scalar settings as flat properties for Camel placeholders ({@code {{listen_port}}},
     * {@code {{notifiers.file.directory}}}). Settings that hold secrets are left out: routes read those from beans.
     */
    public Map<String, String> asProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (!Secrets.isSecretKey(k)) {
                p.put(k, v instanceof List<?> l ? String.join(",", l.stream().map(String::valueOf).toList())
                        : String.valueOf(v));
            }
        });
        notifiers.forEach((name, settings) -> settings.forEach((k, v) -> {
            if (!Secrets.isSecretKey(k) && v != null && !(v instanceof Map) && !(v instanceof List)) {
                p.put("notifiers." + name + "." + k, String.valueOf(v));
            }
        }));
        return p;
    }
}
