package org.falcosecurity.talon.docs;

import org.falcosecurity.talon.catalog.ActionnerSpec;
import org.falcosecurity.talon.catalog.Declarations;
import org.falcosecurity.talon.catalog.NotifierSpec;
import org.falcosecurity.talon.catalog.OutputUse;
import org.falcosecurity.talon.catalog.ParamSpec;
import org.falcosecurity.talon.catalog.Permission;
import org.falcosecurity.talon.catalog.SettingSpec;
import org.falcosecurity.talon.config.ConfigKey;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Renders the reference tables of {@code docs/} from the declarations: the configuration keys
 * ({@link ConfigKey#ALL}), each built-in actionner ({@link ActionnerSpec}) and notifier ({@link NotifierSpec}), and
 * an overview of each. A table is addressed by the key its markers carry in the page:
 * {@code <!-- generated: KEY -->} … {@code <!-- end generated -->}, where KEY is {@code config},
 * {@code actionners}, {@code notifiers}, {@code actionner <category>:<name>} or {@code notifier <name>}.
 */
final class ReferenceTables {

    static final String CONFIG = "config";
    static final String ACTIONNERS = "actionners";
    static final String NOTIFIERS = "notifiers";
    static final String ACTIONNER = "actionner ";
    static final String NOTIFIER = "notifier ";

    private final Declarations declarations;
    private final List<ConfigKey> configKeys;

    ReferenceTables(Declarations declarations, List<ConfigKey> configKeys) {
        this.declarations = declarations;
        this.configKeys = configKeys;
    }

    /** Every key the declarations render, in the order a reader meets them. */
    List<String> keys() {
        List<String> keys = new ArrayList<>();
        keys.add(CONFIG);
        keys.add(ACTIONNERS);
        declarations.actionners().forEach(a -> keys.add(ACTIONNER + a.name()));
        keys.add(NOTIFIERS);
        declarations.notifiers().forEach(n -> keys.add(NOTIFIER + n.name()));
        return keys;
    }

    /** The text between the markers of {@code key} (ending with a line break), or empty for an unknown key. */
    Optional<String> render(String key) {
        if (key.equals(CONFIG)) {
            return Optional.of(config());
        }
        if (key.equals(ACTIONNERS)) {
            return Optional.of(actionners());
        }
        if (key.equals(NOTIFIERS)) {
            return Optional.of(notifiers());
        }
        if (key.startsWith(ACTIONNER)) {
            return declarations.actionner(key.substring(ACTIONNER.length())).map(ReferenceTables::actionner);
        }
        if (key.startsWith(NOTIFIER)) {
            return declarations.notifier(key.substring(NOTIFIER.length())).map(ReferenceTables::notifier);
        }
        return Optional.empty();
    }

    // ------------------------------------------------------------------ configuration

    String config() {
        StringBuilder out = new StringBuilder();
        row(out, "Setting", "Env var", "Type", "Default", "Description");
        separator(out, 5);
        for (ConfigKey k : configKeys) {
            row(out, code(k.name()), code(k.envName()), k.type().name().toLowerCase(Locale.ROOT),
                    configDefault(k.defaultValue()), text(sentence(k.description()) + (k.secret() ? " Secret." : "")));
        }
        return out.toString();
    }

    private static String configDefault(Object value) {
        if (value instanceof List<?> list) {
            return list.stream().map(v -> code(String.valueOf(v))).collect(Collectors.joining(", "));
        }
        return value == null || String.valueOf(value).isEmpty() ? "" : code(String.valueOf(value));
    }

    // ------------------------------------------------------------------ actionners

    String actionners() {
        StringBuilder out = new StringBuilder();
        row(out, "Actionner", "What it does", "Continue", "Source", "Chart RBAC group");
        separator(out, 5);
        for (ActionnerSpec a : declarations.actionners()) {
            row(out, "[" + code(a.name()) + "](#" + anchorOf(a.name()) + ")", text(sentence(a.description())),
                    code(String.valueOf(a.defaultContinue())), code(a.source()),
                    a.rbacGroup().isEmpty() ? "" : code("rbac.actionners." + a.rbacGroup()));
        }
        return out.toString();
    }

    static String actionner(ActionnerSpec a) {
        StringBuilder out = new StringBuilder();
        out.append(markdown(sentence(a.description()))).append(" Continue: ").append(code(String.valueOf(
                a.defaultContinue()))).append(". Source: ").append(code(a.source())).append(". Output target: ")
                .append(outputUse(a.output())).append(".").append(a.usesContext()
                        ? " Reads the action's `additional_contexts`." : "").append(a.reversible()
                        ? " Reversible: an action may have a `ttl` ([reversible-actions.md](reversible-actions.md))."
                        : "").append("\n\n");
        out.append(a.requiredFields().isEmpty() ? "Required fields: none."
                : "Required fields: " + a.requiredFields().stream().map(ReferenceTables::fieldText)
                .collect(Collectors.joining("; ")) + ".").append("\n\n");
        if (a.openParameters()) {
            out.append("Parameters: any (not checked).\n\n");
        } else if (a.params().isEmpty()) {
            out.append("Parameters: none.\n\n");
        } else {
            row(out, "Parameter", "Type", "Required", "Default", "Description");
            separator(out, 5);
            for (ParamSpec p : a.params().values()) {
                row(out, code(p.name()), p.type().shortName(), p.required() ? "yes" : "no",
                        p.defaultValue() == null ? "" : code(String.valueOf(p.defaultValue())),
                        markdown(sentence(p.description()) + (p.secret() ? " Secret: masked wherever Talon prints it."
                                : "")));
            }
            out.append('\n');
        }
        permissions(out, a.permissions(), "rbac.actionners." + a.rbacGroup());
        example(out, a.example());
        return out.toString();
    }

    private static String outputUse(OutputUse use) {
        return switch (use) {
            case NONE -> "none";
            case ALLOWED -> "optional (see [outputs](outputs.md))";
            case REQUIRED -> "required (see [outputs](outputs.md))";
        };
    }

    /** {@code k8s.pod.name (or ka.target.pod.name / ka.target.name)}: the field names as code. */
    private static String fieldText(String field) {
        StringBuilder out = new StringBuilder();
        for (String word : field.split(" ")) {
            if (!out.isEmpty()) {
                out.append(' ');
            }
            String core = word.replaceAll("^[(]+|[),]+$", "");
            if (core.matches("[a-z0-9_]+(\\.[a-z0-9_\\[\\]]+)+")) {
                out.append(word, 0, word.indexOf(core)).append(code(core))
                        .append(word.substring(word.indexOf(core) + core.length()));
            } else {
                out.append(text(word));
            }
        }
        return out.toString();
    }

    // ------------------------------------------------------------------ notifiers

    String notifiers() {
        StringBuilder out = new StringBuilder();
        row(out, "Notifier", "What it sends", "Required settings");
        separator(out, 3);
        for (NotifierSpec n : declarations.notifiers()) {
            String required = n.settings().values().stream().filter(SettingSpec::required)
                    .map(s -> code(s.name())).collect(Collectors.joining(", "));
            row(out, "[" + code(n.name()) + "](#" + anchorOf(n.name()) + ")", markdown(sentence(n.description())),
                    required.isEmpty() ? "none" : required);
        }
        return out.toString();
    }

    static String notifier(NotifierSpec n) {
        StringBuilder out = new StringBuilder();
        out.append(markdown(sentence(n.description())));
        if (n.needsCluster()) {
            out.append(" Needs a Kubernetes cluster.");
        }
        out.append("\n\n");
        if (n.settings().isEmpty()) {
            out.append("Settings: none.\n\n");
        } else {
            row(out, "Setting", "Env var", "Type", "Required", "Default", "Secret", "Description");
            separator(out, 7);
            for (SettingSpec s : n.settings().values()) {
                row(out, code(s.name()), code(envName(n.name(), s.name())), s.kind().shortName(),
                        s.required() ? "yes" : "no", s.defaultValue().isEmpty() ? "" : code(s.defaultValue()),
                        s.secret() ? "yes" : "no", markdown(sentence(s.description())));
            }
            out.append('\n');
        }
        permissions(out, n.permissions(), "rbac.notifiers." + n.rbacGroup());
        StringBuilder yaml = new StringBuilder("notifiers:\n");
        n.example().lines().forEach(l -> yaml.append(l.isEmpty() ? "" : "  " + l).append('\n'));
        example(out, yaml.toString());
        return out.toString();
    }

    /** {@code NOTIFIERS_<NAME>_<SETTING>}, as {@code TalonConfig} reads it. */
    static String envName(String notifier, String setting) {
        return "NOTIFIERS_" + notifier.toUpperCase(Locale.ROOT) + "_" + setting.toUpperCase(Locale.ROOT);
    }

    // ------------------------------------------------------------------ shared parts

    private static void permissions(StringBuilder out, List<Permission> permissions, String chartValue) {
        if (permissions.isEmpty()) {
            out.append("Kubernetes permissions: none.\n\n");
            return;
        }
        out.append("Kubernetes permissions (chart: ").append(code(chartValue)).append("):\n\n");
        row(out, "API group", "Resource", "Verbs", "Why");
        separator(out, 4);
        Map<String, List<Permission>> grouped = new LinkedHashMap<>();
        for (Permission p : permissions) {
            grouped.computeIfAbsent(p.group() + "\u0000" + p.resource() + "\u0000" + p.why(), k -> new ArrayList<>())
                    .add(p);
        }
        for (List<Permission> same : grouped.values()) {
            Permission p = same.get(0);
            row(out, p.group().isEmpty() ? "core" : code(p.group()), code(p.resource()),
                    same.stream().map(x -> code(x.verb())).collect(Collectors.joining(", ")), text(p.why()));
        }
        out.append('\n');
    }

    private static void example(StringBuilder out, String yaml) {
        if (yaml.isBlank()) {
            return;
        }
        out.append("```yaml\n").append(yaml.endsWith("\n") ? yaml : yaml + "\n").append("```\n");
    }

    private static void row(StringBuilder out, String... cells) {
        out.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }

    private static void separator(StringBuilder out, int columns) {
        out.append("|").append(" --- |".repeat(columns)).append('\n');
    }

    private static String sentence(String s) {
        String t = s.strip();
        if (t.isEmpty() || t.matches("(?s).*[.!?]\\)?$")) {
            return t;
        }
        return t + ".";
    }

    private static String code(String s) {
        return "`" + s.replace("|", "\\|") + "`";
    }

    /** Plain text for a table cell: nothing in it is markdown. */
    private static String text(String s) {
        return s.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*")
                .replace("`", "\\`").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ");
    }

    /** Text that may hold `code` spans (the declarations' descriptions): only what breaks a table is escaped. */
    private static String markdown(String s) {
        StringBuilder out = new StringBuilder();
        boolean inCode = false;
        for (char c : s.replace("\n", " ").toCharArray()) {
            if (c == '`') {
                inCode = !inCode;
                out.append(c);
            } else if (c == '|') {
                out.append("\\|");
            } else if (!inCode && c == '<') {
                out.append("&lt;");
            } else if (!inCode && c == '>') {
                out.append("&gt;");
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The anchor GitHub gives the heading {@code `name`} (the hand-written section heading of a built-in). */
    static String anchorOf(String name) {
        return MarkdownPages.slug("`" + name + "`");
    }
}
