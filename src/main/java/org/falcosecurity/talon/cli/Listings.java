package org.falcosecurity.talon.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.falcosecurity.talon.catalog.ActionnerSpec;
import org.falcosecurity.talon.catalog.NotifierSpec;
import org.falcosecurity.talon.catalog.OutputSpec;
import org.falcosecurity.talon.catalog.OutputUse;
import org.falcosecurity.talon.catalog.ParamSpec;
import org.falcosecurity.talon.catalog.Permission;
import org.falcosecurity.talon.catalog.SettingSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code actionners list}, {@code notifiers list} and {@code outputs list} print for each item, derived from its
 * declaration: upstream Falco Talon's fields (name, category, description, source, continue, use_context,
 * allow_output, require_output, required_output_fields, parameters with " (required)" after the required ones,
 * permissions, example), each item under a {@code --- <name> ---} header, as upstream prints them.
 */
final class Listings {

    static final String REQUIRED = " (required)";
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .build();

    private Listings() {
    }

    static String actionner(ActionnerSpec a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", a.name().substring(a.name().indexOf(':') + 1));
        m.put("category", a.category());
        m.put("description", a.description());
        m.put("source", a.source());
        m.put("continue", a.defaultContinue());
        m.put("use_context", a.usesContext());
        m.put("allow_output", a.output() != OutputUse.NONE);
        m.put("require_output", a.output() == OutputUse.REQUIRED);
        m.put("required_output_fields", a.requiredFields());
        m.put("parameters", a.openParameters() ? "any (a route-defined actionner)" : parameters(a.params()));
        putIfNotEmpty(m, "permissions", clusterRole(a.permissions()));
        putIfNotEmpty(m, "example", a.example());
        return item(a.name(), m);
    }

    static String notifier(NotifierSpec n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", n.name());
        m.put("description", n.description());
        Map<String, Object> settings = new LinkedHashMap<>();
        for (SettingSpec s : n.settings().values()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("type", s.kind().shortName());
            if (!s.defaultValue().isEmpty()) {
                d.put("default", s.defaultValue());
            }
            if (s.secret()) {
                d.put("secret", true);
            }
            d.put("description", s.description());
            settings.put(s.name() + (s.required() ? REQUIRED : ""), d);
        }
        m.put("parameters", settings);
        putIfNotEmpty(m, "permissions", clusterRole(n.permissions()));
        putIfNotEmpty(m, "example", n.example().isEmpty() ? "" : "notifiers:\n" + indent(n.example()));
        return item(n.name(), m);
    }

    /** A notifier known only from its route (its settings are its route's business). */
    static String notifierRoute(String name) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("description", "route-defined notifier");
        m.put("parameters", "any (a route-defined notifier)");
        return item(name, m);
    }

    static String output(OutputSpec o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", o.name().substring(o.name().indexOf(':') + 1));
        m.put("category", o.category());
        m.put("description", o.description());
        m.put("parameters", o.openParameters() ? "any (a route-defined output target)" : parameters(o.params()));
        putIfNotEmpty(m, "example", o.example());
        return item(o.name(), m);
    }

    private static Map<String, Object> parameters(Map<String, ParamSpec> params) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (ParamSpec p : params.values()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("type", p.type().shortName());
            if (p.defaultValue() != null) {
                d.put("default", p.defaultValue());
            }
            if (p.secret()) {
                d.put("secret", true);
            }
            if (!p.description().isEmpty()) {
                d.put("description", p.description());
            }
            out.put(p.name() + (p.required() ? REQUIRED : ""), d);
        }
        return out;
    }

    /** The permissions as the rules of a ClusterRole (one rule per group and resource), as upstream shows them. */
    static String clusterRole(List<Permission> permissions) {
        if (permissions.isEmpty()) {
            return "";
        }
        Map<String, List<String>> verbs = new TreeMap<>();
        for (Permission p : permissions) {
            List<String> v = verbs.computeIfAbsent(p.group() + "\u0000" + p.resource(), k -> new ArrayList<>());
            if (!v.contains(p.verb())) {
                v.add(p.verb());
            }
        }
        List<Object> rules = new ArrayList<>();
        verbs.forEach((k, v) -> {
            String[] gr = k.split("\u0000", 2);
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("apiGroups", List.of(gr[0]));
            rule.put("resources", List.of(gr[1]));
            rule.put("verbs", v);
            rules.add(rule);
        });
        Map<String, Object> role = new LinkedHashMap<>();
        role.put("apiVersion", "rbac.authorization.k8s.io/v1");
        role.put("kind", "ClusterRole");
        role.put("metadata", Map.of("name", "falco-talon"));
        role.put("rules", rules);
        return yaml(role);
    }

    private static void putIfNotEmpty(Map<String, Object> m, String key, String value) {
        if (value != null && !value.isEmpty()) {
            m.put(key, value);
        }
    }

    private static String indent(String text) {
        return text.lines().map(l -> l.isEmpty() ? l : "  " + l).reduce((a, b) -> a + "\n" + b).orElse("") + "\n";
    }

    private static String item(String header, Map<String, Object> fields) {
        return "--- " + header + " ---\n\n" + yaml(fields) + "\n";
    }

    private static String yaml(Object o) {
        try {
            return YAML.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
