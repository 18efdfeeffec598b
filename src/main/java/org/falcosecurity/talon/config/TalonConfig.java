package org.falcosecurity.talon.config;

import java.io.IOException;
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
 * Talon's static configuration: the typed {@link Settings} (a YAML file overridden by environment variables: the key
 * upper-cased, {@code .} turned into {@code _}, such as {@code LISTEN_PORT}), plus the {@code notifiers} sections and
 * their {@code NOTIFIERS_<NAME>_<SETTING>} variables, which the notifiers read.
 *
 * <p>{@link ConfigLocator} finds the file, {@link ConfigBinder} binds it, {@link ConfigValidator} checks it.
 */
public final class TalonConfig {

    private final Settings settings;
    private final String source;
    private final Map<String, Map<String, Object>> notifierSections;
    private final Map<String, String> notifierEnv;

    TalonConfig(Settings settings, String source, Map<String, Map<String, Object>> notifierSections,
                Map<String, String> notifierEnv) {
        this.settings = settings;
        this.source = source;
        this.notifierSections = Collections.unmodifiableMap(notifierSections);
        this.notifierEnv = Collections.unmodifiableMap(notifierEnv);
    }

    /** Binds a config's YAML text and the environment ({@link ConfigBinder}). */
    public static TalonConfig parse(String yamlText, String sourceName, Map<String, String> env)
            throws ConfigException {
        return ConfigBinder.bind(yamlText, sourceName, env);
    }

    /** {@link ConfigLocator#resolve}. */
    public static TalonConfig resolve(Path flag, Path defaultConfig, Map<String, String> env) throws ConfigException {
        return ConfigLocator.resolve(flag, defaultConfig, env);
    }

    /** {@link ConfigLocator#load}. */
    public static TalonConfig load(Path file, boolean explicit, Map<String, String> env) throws ConfigException {
        return ConfigLocator.load(file, explicit, env);
    }

    /** {@link ConfigLocator#loadResource}. */
    public static TalonConfig loadResource(String resource, Map<String, String> env) throws ConfigException {
        return ConfigLocator.loadResource(resource, env);
    }

    // ------------------------------------------------------------------ settings

    public Settings settings() {
        return settings;
    }

    public String source() {
        return source;
    }

    public String listenAddress() {
        return settings.listenAddress();
    }

    public int listenPort() {
        return settings.listenPort();
    }

    public List<String> rulesFiles() {
        return settings.rulesFiles();
    }

    public boolean watchRules() {
        return settings.watchRules();
    }

    public boolean printAllEvents() {
        return settings.printAllEvents();
    }

    public String routesDirectory() {
        return settings.routesDirectory();
    }

    public String kubeconfig() {
        return settings.kubeconfig();
    }

    public String logFormat() {
        return settings.logFormat();
    }

    public List<String> defaultNotifiers() {
        return settings.defaultNotifiers();
    }

    public boolean dryRun() {
        return settings.dryRun();
    }

    public int maxBodyBytes() {
        return settings.maxBodyBytes();
    }

    public int maxArtifactBytes() {
        return settings.maxArtifactBytes();
    }

    public int queueSize() {
        return settings.queueSize();
    }

    /** {@code queue_max_bytes}, with 0 resolved: a quarter of the JVM's maximum heap. */
    public long queueMaxBytes() {
        return settings.queueMaxBytes() > 0 ? settings.queueMaxBytes() : Runtime.getRuntime().maxMemory() / 4;
    }

    public int workers() {
        return settings.workers();
    }

    public Settings.Deduplication deduplication() {
        return settings.deduplication();
    }

    public Settings.Tls tls() {
        return settings.tls();
    }

    public Settings.BlastRadius blastRadius() {
        return settings.blastRadius();
    }

    public Settings.Kafka kafka() {
        return settings.kafka();
    }

    public Settings.Replicas replicas() {
        return settings.replicas();
    }

    public Settings.Auth auth() {
        return settings.auth();
    }

    /** {@code provenance}: enforce, warn or off. */
    public String provenance() {
        return settings.provenance();
    }

    public Settings.Protection protection() {
        return settings.protection();
    }

    public Settings.Audit audit() {
        return settings.audit();
    }

    public Settings.Reverts reverts() {
        return settings.reverts();
    }

    public Settings.Otel otel() {
        return settings.otel();
    }

    public Settings.Aws aws() {
        return settings.aws();
    }

    public Settings.Gcp gcp() {
        return settings.gcp();
    }

    public Settings.Minio minio() {
        return settings.minio();
    }

    /** The intake's bearer token (from auth.token or auth.token_file), or empty when the intake is open. */
    public String authToken() {
        String f = settings.auth().tokenFile();
        if (!f.isEmpty()) {
            try {
                return Files.readString(Path.of(f), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalStateException("cannot read auth.token_file " + f + ": " + e.getMessage());
            }
        }
        return settings.auth().token();
    }

    // ------------------------------------------------------------------ notifiers

    /**
     * The notifiers the config names: a {@code notifiers.<name>} section, or a default notifier set by environment
     * variables only. (Built-in notifiers configured by environment variables alone are added by the notifiers,
     * which know their names.)
     */
    public Map<String, Map<String, Object>> notifiers() {
        Map<String, Map<String, Object>> m = new TreeMap<>();
        notifierSections.keySet().forEach(n -> m.put(n, notifier(n)));
        for (String n : settings.defaultNotifiers()) {
            if (!m.containsKey(n) && hasNotifierEnvironment(n)) {
                m.put(n, notifier(n));
            }
        }
        return m;
    }

    /**
     * One notifier's settings: its section, overridden by {@code NOTIFIERS_<NAME>_<SETTING>} (the setting
     * lower-cased). When two names share a prefix ({@code my} and {@code my_hook}), a variable goes to the longest
     * name the config knows.
     */
    public Map<String, Object> notifier(String name) {
        Map<String, Object> out = new LinkedHashMap<>(notifierSections.getOrDefault(name, Map.of()));
        envFor(name).forEach(out::put);
        return out;
    }

    /** Whether any {@code NOTIFIERS_<NAME>_*} variable is set for this notifier. */
    public boolean hasNotifierEnvironment(String name) {
        return !envFor(name).isEmpty();
    }

    private Map<String, String> envFor(String name) {
        String prefix = ConfigBinder.NOTIFIER_ENV_PREFIX + name.toUpperCase(Locale.ROOT) + "_";
        Set<String> longer = new LinkedHashSet<>();
        for (String other : knownNotifierNames()) {
            if (other.length() > name.length() && other.startsWith(name + "_")) {
                longer.add(ConfigBinder.NOTIFIER_ENV_PREFIX + other.toUpperCase(Locale.ROOT) + "_");
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        notifierEnv.forEach((var, value) -> {
            if (var.startsWith(prefix) && var.length() > prefix.length()
                    && longer.stream().noneMatch(var::startsWith)) {
                out.put(var.substring(prefix.length()).toLowerCase(Locale.ROOT), value);
            }
        });
        return out;
    }

    private List<String> knownNotifierNames() {
        List<String> names = new ArrayList<>(notifierSections.keySet());
        names.addAll(settings.defaultNotifiers());
        names.sort(Comparator.comparingInt(String::length).reversed());
        return names;
    }

    // ------------------------------------------------------------------ Camel properties

    /**
     * The settings as flat properties for Camel placeholders ({@code {{listen_port}}}, {@code {{kafka.topic}}}).
     * Settings that hold secrets are left out: routes read those from beans. (The notifiers add theirs.)
     */
    public Map<String, String> asProperties() {
        Map<String, Object> flat = new LinkedHashMap<>();
        flatten("", ConfigBinder.tree(settings), flat);
        Map<String, String> p = new LinkedHashMap<>();
        for (ConfigKey k : ConfigKey.ALL) {
            Object v = flat.get(k.name());
            if (!k.secret() && v != null) {
                p.put(k.name(), v instanceof List<?> l ? String.join(",", l.stream().map(String::valueOf).toList())
                        : String.valueOf(v));
            }
        }
        return p;
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Map<String, Object> tree, Map<String, Object> out) {
        tree.forEach((k, v) -> {
            if (v instanceof Map<?, ?> m) {
                flatten(prefix + k + ".", (Map<String, Object>) m, out);
            } else {
                out.put(prefix + k, v);
            }
        });
    }
}
