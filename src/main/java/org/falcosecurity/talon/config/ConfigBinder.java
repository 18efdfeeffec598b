package org.falcosecurity.talon.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import org.falcosecurity.talon.catalog.Suggestions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Binds a config file's YAML and the environment onto {@link Settings}: every key of {@link ConfigKey#ALL} is read
 * from the file, replaced by its environment variable when that is set, checked and converted to its type (or its
 * default), then the tree is bound by Jackson and checked by {@link ConfigValidator}. Unknown keys are errors, so a
 * misspelt {@code dry_run} never goes unnoticed. The {@code notifiers} sections are kept as they are, with the
 * {@code NOTIFIERS_*} environment variables, for the notifiers to read.
 */
final class ConfigBinder {

    static final String NOTIFIER_ENV_PREFIX = "NOTIFIERS_";

    /** A key without a value ({@code collector_endpoint:}, as upstream's chart renders unset values) is null. */
    private static final ObjectMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL).build()).build();
    private static final ObjectMapper BINDER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private final String source;
    private final List<ConfigProblem> problems = new ArrayList<>();

    private ConfigBinder(String source) {
        this.source = source;
    }

    static TalonConfig bind(String yamlText, String sourceName, Map<String, String> env) throws ConfigException {
        return new ConfigBinder(sourceName).run(yamlText, env);
    }

    private TalonConfig run(String yamlText, Map<String, String> env) throws ConfigException {
        Map<String, Object> file = readYaml(yamlText);
        Map<String, Object> tree = new LinkedHashMap<>();
        for (ConfigKey k : ConfigKey.ALL) {
            Object raw = lookup(file, k.name());
            String from = source;
            String envValue = env.get(k.envName());
            if (envValue != null) {
                raw = envValue;
                from = "environment variable " + k.envName();
            }
            put(tree, k.name(), raw == null ? k.defaultValue() : coerce(k, raw, from));
        }
        unknownKeys(file);
        Map<String, Map<String, Object>> notifiers = notifierSections(file.get("notifiers"));
        Map<String, String> notifierEnv = new TreeMap<>();
        env.forEach((k, v) -> {
            if (k.startsWith(NOTIFIER_ENV_PREFIX)) {
                notifierEnv.put(k, v);
            }
        });
        Settings settings = BINDER.convertValue(tree, Settings.class);
        problems.addAll(ConfigValidator.validate(settings, source));
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new TalonConfig(settings, source, notifiers, notifierEnv);
    }

    /** The settings back as a snake_case tree ({@code {"kafka": {"group_id": ...}}}). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> tree(Settings settings) {
        return BINDER.convertValue(settings, LinkedHashMap.class);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> readYaml(String yamlText) throws ConfigException {
        if (yamlText == null || yamlText.isBlank()) {
            return Map.of();
        }
        try {
            Object root = YAML.readValue(yamlText, Object.class);
            if (root instanceof Map<?, ?> m) {
                return (Map<String, Object>) m;
            }
            if (root != null) {
                throw ConfigException.of(source, "expected a mapping of settings");
            }
            return Map.of();
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
            throw ConfigException.of(source, "not valid YAML" + where + ": " + e.getOriginalMessage());
        }
    }

    private void unknownKeys(Map<String, Object> file) {
        Set<String> top = new TreeSet<>();
        for (ConfigKey k : ConfigKey.ALL) {
            top.add(parentOf(k.name()));
        }
        top.add("notifiers");
        for (String key : file.keySet()) {
            if (!top.contains(key)) {
                String hint = Suggestions.closest(key, top).map(k -> "did you mean " + k + "? ").orElse("");
                problems.add(new ConfigProblem(source, key, "unknown setting (" + hint + "known: "
                        + String.join(", ", top) + ")"));
            }
        }
        Set<String> sections = new LinkedHashSet<>();
        ConfigKey.ALL.stream().filter(k -> k.name().contains(".")).forEach(k -> sections.add(parentOf(k.name())));
        for (String section : sections) {
            if (file.get(section) instanceof Map<?, ?> sub) {
                for (Object child : sub.keySet()) {
                    String dotted = section + "." + child;
                    if (ConfigKey.ALL.stream().noneMatch(c -> c.name().equals(dotted))) {
                        problems.add(new ConfigProblem(source, dotted, "unknown setting" + Suggestions.hint(dotted,
                                ConfigKey.ALL.stream().map(ConfigKey::name).filter(n -> n.startsWith(section + "."))
                                        .toList())));
                    }
                }
            }
        }
    }

    private Map<String, Map<String, Object>> notifierSections(Object n) {
        Map<String, Map<String, Object>> notifiers = new TreeMap<>();
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
                    problems.add(new ConfigProblem(source, "notifiers." + name, "must be a mapping of settings"));
                }
            }
        } else if (n != null) {
            problems.add(new ConfigProblem(source, "notifiers", "must be a mapping of notifier names to settings"));
        }
        return notifiers;
    }

    private static String parentOf(String dotted) {
        int dot = dotted.indexOf('.');
        return dot < 0 ? dotted : dotted.substring(0, dot);
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

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> tree, String dotted, Object value) {
        String[] parts = dotted.split("\\.");
        Map<String, Object> cur = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            cur = (Map<String, Object>) cur.computeIfAbsent(parts[i], k -> new LinkedHashMap<>());
        }
        cur.put(parts[parts.length - 1], value);
    }

    private Object coerce(ConfigKey k, Object raw, String from) {
        switch (k.type()) {
            case STRING:
                if (raw instanceof Boolean b && !b && k.name().equals("provenance")) {
                    // YAML 1.1 reads an unquoted `provenance: off` as false
                    return "off";
                }
                if (raw instanceof String || raw instanceof Number || raw instanceof Boolean) {
                    return String.valueOf(raw);
                }
                return wrong(k, from, "must be a string");
            case INTEGER:
                if (raw instanceof Integer i) {
                    return i;
                }
                try {
                    return Integer.parseInt(String.valueOf(raw).trim());
                } catch (NumberFormatException e) {
                    return wrong(k, from, "must be an integer, got '" + raw + "'");
                }
            case BOOLEAN:
                if (raw instanceof Boolean b) {
                    return b;
                }
                String s = String.valueOf(raw).trim().toLowerCase(Locale.ROOT);
                if (s.equals("true") || s.equals("false")) {
                    return Boolean.parseBoolean(s);
                }
                return wrong(k, from, "must be true or false, got '" + raw + "'");
            case LIST:
                return list(k, raw, from);
            default:
                throw new IllegalStateException();
        }
    }

    private Object list(ConfigKey k, Object raw, String from) {
        List<String> out = new ArrayList<>();
        if (raw instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof Map || o instanceof List || o == null) {
                    return wrong(k, from, "must be a list of strings");
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
            return wrong(k, from, "must be a list of strings (or a comma-separated string)");
        }
        return List.copyOf(out);
    }

    private Object wrong(ConfigKey k, String from, String message) {
        problems.add(new ConfigProblem(from, k.name(), message));
        return k.defaultValue();
    }
}
