package org.falcosecurity.talon.rules.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.falcosecurity.talon.catalog.ActionnerSpec;
import org.falcosecurity.talon.catalog.Catalog;
import org.falcosecurity.talon.catalog.Declarations;
import org.falcosecurity.talon.catalog.NotifierSpec;
import org.falcosecurity.talon.catalog.OutputSpec;
import org.falcosecurity.talon.catalog.ParamSpec;
import org.falcosecurity.talon.catalog.SettingSpec;
import org.falcosecurity.talon.config.ConfigKey;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Renders {@code schemas/rules.schema.json} and {@code schemas/config.schema.json} (JSON Schema draft 2020-12) from
 * what Talon itself reads: the rule-file keys of {@link RuleFileReader}, the built-in actionners' parameters
 * ({@link ActionnerSpec}), the config keys ({@link ConfigKey#ALL}) and the built-in notifiers' settings
 * ({@link NotifierSpec}). {@code SchemaFilesTest} fails when a committed file differs.
 */
final class JsonSchemas {

    static final String DIALECT = "https://json-schema.org/draft/2020-12/schema";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The actionner name of {@link Catalog#ACTIONNER_NAME}, as ECMA-262 (JSON Schema's regex dialect). */
    private static final String ACTIONNER_PATTERN = "^[a-z0-9_]+:[a-z0-9_]+$";
    private static final String DURATION_PATTERN = "^([0-9]{1,9}(ms|s|m|h|d))+$";

    private static final List<String> RULE_ORDER = List.of("rule", "description", "match", "continue", "dry_run",
            "actions", "notifiers");
    private static final List<String> MATCH_ORDER = List.of("rules", "priority", "tags", "output_fields", "source");
    private static final List<String> ACTION_ORDER = List.of("action", "actionner", "description", "continue",
            "ignore_errors", "ttl", "parameters", "output", "additional_contexts");
    private static final List<String> INLINE_ORDER = ACTION_ORDER;

    private JsonSchemas() {
    }

    static String text(ObjectNode schema) {
        DefaultPrettyPrinter pp = new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER));
        pp.indentArraysWith(new DefaultIndenter("  ", "\n"));
        pp.indentObjectsWith(new DefaultIndenter("  ", "\n"));
        try {
            return JSON.writer(pp).writeValueAsString(schema) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The keys the schema describes, in its order; a test checks they are the reader's keys. */
    static Map<String, List<String>> ruleFileKeys() {
        return Map.of("rule", RULE_ORDER, "match", MATCH_ORDER, "action", ACTION_ORDER, "inline", INLINE_ORDER);
    }

    // ------------------------------------------------------------------ rules

    static ObjectNode rules(Declarations d) {
        ObjectNode s = JSON.createObjectNode();
        s.put("$schema", DIALECT);
        s.put("title", "Falco Talon rule file");
        s.put("description", "A list of '- rule:' and '- action:' blocks (docs/rules.md). Generated from Talon's"
                + " declarations by SchemaFilesTest: do not edit by hand.");
        s.put("type", "array");
        ObjectNode items = s.putObject("items");
        items.put("type", "object");
        items.putObject("if").putArray("required").add("rule");
        items.putObject("then").put("$ref", "#/$defs/rule");
        items.putObject("else").put("$ref", "#/$defs/actionBlock");
        ObjectNode defs = s.putObject("$defs");
        defs.set("rule", rule());
        defs.set("match", match());
        defs.set("actionBlock", action(ACTION_ORDER, true, d));
        defs.set("inlineAction", action(INLINE_ORDER, false, d));
        defs.set("actionnerRules", actionnerRules(d));
        defs.set("output", output(d));
        for (ActionnerSpec a : d.actionners()) {
            defs.set(paramsDef(a), parameters(a));
        }
        return s;
    }

    private static ObjectNode rule() {
        ObjectNode r = object("A rule: when it fires (match) and what it does (actions)");
        r.putArray("required").add("rule");
        ObjectNode p = r.putObject("properties");
        for (String k : RULE_ORDER) {
            switch (k) {
                case "rule" -> p.set(k, nonEmptyString("The rule's name; a later block of the same name updates it"));
                case "description" -> p.set(k, string("Free text"));
                case "match" -> p.putObject(k).put("$ref", "#/$defs/match");
                case "continue" -> p.set(k, bool("false: no rule below fires after this one (default true)"));
                case "dry_run" -> p.set(k, bool("true: the actions are reported, not run (default false)"));
                case "actions" -> {
                    ObjectNode a = p.putObject(k);
                    a.put("description", "The actions, run in order");
                    a.put("type", "array");
                    a.putObject("items").put("$ref", "#/$defs/inlineAction");
                }
                case "notifiers" -> p.set(k, strings("Notifiers for its results, in addition to default_notifiers"));
                default -> throw new IllegalStateException(k);
            }
        }
        return r;
    }

    private static ObjectNode match() {
        ObjectNode m = object("When the rule fires: every criterion that is set must hold");
        ObjectNode p = m.putObject("properties");
        for (String k : MATCH_ORDER) {
            switch (k) {
                case "rules" -> p.set(k, strings("Falco rule names (OR); empty: any rule"));
                case "priority" -> p.set(k, nonEmptyString("A priority comparison: >=Critical, <Warning, =Notice,"
                        + " Debug, ... (case-insensitive)"));
                case "tags" -> p.set(k, strings("Entries OR'ed; comma-separated tags inside one entry AND'ed"));
                case "output_fields" -> p.set(k, strings("Entries OR'ed; comma-separated terms inside one entry"
                        + " AND'ed: key=value, key!=value, key^=prefix, key$=suffix, key*=substring, key~=regex"
                        + " (RE2), key>N, key>=N, key<N, key<=N"));
                case "source" -> p.set(k, nonEmptyString("The event source: syscall, k8s_audit, ..."));
                default -> throw new IllegalStateException(k);
            }
        }
        return m;
    }

    private static ObjectNode action(List<String> keys, boolean block, Declarations d) {
        ObjectNode a = object(block ? "A reusable action; rules name it in their actions"
                : "An action of a rule: the name of an action block (inheriting it), or a new name with an actionner");
        a.putArray("required").add("action");
        ObjectNode p = a.putObject("properties");
        for (String k : keys) {
            switch (k) {
                case "action" -> p.set(k, nonEmptyString(block ? "The action's name"
                        : "An action block's name, or a new name with an actionner"));
                case "actionner" -> {
                    ObjectNode n = p.putObject(k);
                    n.put("description", "category:name of the actionner (a built-in, or a route in"
                            + " routes_directory)");
                    ArrayNode any = n.putArray("anyOf");
                    ArrayNode names = any.addObject().putArray("enum");
                    d.actionners().forEach(s -> names.add(s.name()));
                    any.addObject().put("type", "string").put("pattern", ACTIONNER_PATTERN);
                }
                case "description" -> p.set(k, string("Free text"));
                case "continue" -> p.set(k, bool("false: the rule's next actions do not run after this one"
                        + " (default: the actionner's)"));
                case "ignore_errors" -> p.set(k, bool("true: a failure of this action does not stop the next ones"));
                case "ttl" -> {
                    ObjectNode t = p.putObject(k);
                    t.put("description", "Revert the change this long after it succeeded (reversible actionners"
                            + " only): 30s, 30m, 1h30m, 2d");
                    t.put("type", "string");
                    t.put("pattern", DURATION_PATTERN);
                }
                case "parameters" -> {
                    ObjectNode n = p.putObject(k);
                    n.put("description", "The actionner's parameters (docs/actionners.md)");
                    n.put("type", "object");
                }
                case "output" -> p.putObject(k).put("$ref", "#/$defs/output");
                case "additional_contexts" -> {
                    ObjectNode n = p.putObject(k);
                    n.put("description", "Extra contexts the actionner gets (for the actionners that read them)");
                    n.put("type", "array");
                    ArrayNode names = n.putObject("items").putArray("enum");
                    ActionnerSpec.CONTEXTS.forEach(names::add);
                }
                default -> throw new IllegalStateException(k);
            }
        }
        a.putArray("allOf").addObject().put("$ref", "#/$defs/actionnerRules");
        return a;
    }

    /** Per built-in actionner: its parameters; and no ttl for those Talon cannot revert. */
    private static ObjectNode actionnerRules(Declarations d) {
        ObjectNode r = JSON.createObjectNode();
        r.put("description", "What each built-in actionner accepts");
        ArrayNode all = r.putArray("allOf");
        for (ActionnerSpec a : d.actionners()) {
            ObjectNode c = all.addObject();
            ObjectNode cond = c.putObject("if");
            cond.putObject("properties").putObject("actionner").put("const", a.name());
            cond.putArray("required").add("actionner");
            c.putObject("then").putObject("properties").putObject("parameters").put("$ref", "#/$defs/"
                    + paramsDef(a));
        }
        TreeSet<String> irreversible = new TreeSet<>();
        d.actionners().stream().filter(a -> !a.reversible()).forEach(a -> irreversible.add(a.name()));
        ObjectNode c = all.addObject();
        ObjectNode cond = c.putObject("if");
        ArrayNode names = cond.putObject("properties").putObject("actionner").putArray("enum");
        irreversible.forEach(names::add);
        cond.putArray("required").add("actionner");
        ObjectNode not = c.putObject("then").putObject("not");
        not.put("description", "ttl is only for the reversible actionners");
        not.putArray("required").add("ttl");
        return r;
    }

    /** {@code output: {target, parameters}}, the parameters of each built-in target checked. */
    private static ObjectNode output(Declarations d) {
        ObjectNode o = object("Where the actionner stores its artifact (docs/outputs.md)");
        ObjectNode p = o.putObject("properties");
        ObjectNode target = p.putObject("target");
        target.put("description", "category:name of the output target");
        ArrayNode any = target.putArray("anyOf");
        ArrayNode names = any.addObject().putArray("enum");
        d.outputs().forEach(out -> names.add(out.name()));
        any.addObject().put("type", "string").put("pattern", ACTIONNER_PATTERN);
        p.putObject("parameters").put("description", "The target's parameters").put("type", "object");
        ArrayNode all = o.putArray("allOf");
        for (OutputSpec out : d.outputs()) {
            ObjectNode c = all.addObject();
            ObjectNode cond = c.putObject("if");
            cond.putObject("properties").putObject("target").put("const", out.name());
            cond.putArray("required").add("target");
            ObjectNode params = c.putObject("then").putObject("properties").putObject("parameters");
            params.put("type", "object");
            ObjectNode pp = params.putObject("properties");
            for (ParamSpec ps : out.params().values()) {
                ObjectNode n = type(ps.type());
                if (ps.description() != null && !ps.description().isEmpty()) {
                    n.put("description", ps.description());
                }
                pp.set(ps.name(), n);
            }
            if (!out.openParameters()) {
                params.put("additionalProperties", false);
            }
        }
        return o;
    }

    private static String paramsDef(ActionnerSpec a) {
        return "parameters-" + a.name().replace(':', '-');
    }

    private static ObjectNode parameters(ActionnerSpec a) {
        ObjectNode o = JSON.createObjectNode();
        o.put("description", "Parameters of " + a.name() + ": " + a.description());
        o.put("type", "object");
        ObjectNode p = o.putObject("properties");
        for (ParamSpec ps : a.params().values()) {
            ObjectNode n = type(ps.type());
            if (ps.description() != null && !ps.description().isEmpty()) {
                n.put("description", ps.description());
            }
            if (ps.defaultValue() != null) {
                n.set("default", JSON.valueToTree(ps.defaultValue()));
            }
            p.set(ps.name(), n);
        }
        if (!a.openParameters()) {
            o.put("additionalProperties", false);
        }
        return o;
    }

    private static ObjectNode type(ParamSpec.Type t) {
        ObjectNode n = JSON.createObjectNode();
        switch (t) {
            case STRING -> n.put("type", "string");
            case INTEGER -> n.put("type", "integer");
            case BOOLEAN -> n.put("type", "boolean");
            case STRING_LIST -> {
                n.put("type", "array");
                n.putObject("items").put("type", "string");
            }
            case STRING_MAP -> {
                n.put("type", "object");
                n.putObject("additionalProperties").putArray("type").add("string").add("number").add("boolean")
                        .add("null");
            }
            case INTEGER_OR_STRING -> n.putArray("type").add("integer").add("string");
            default -> throw new IllegalStateException(t.name());
        }
        return n;
    }

    // ------------------------------------------------------------------ config

    static ObjectNode config(List<ConfigKey> keys, List<NotifierSpec> notifiers) {
        ObjectNode s = JSON.createObjectNode();
        s.put("$schema", DIALECT);
        s.put("title", "Falco Talon configuration");
        s.put("description", "config.yaml (docs/configuration.md). Generated from Talon's declarations by"
                + " SchemaFilesTest: do not edit by hand.");
        s.put("type", "object");
        ObjectNode props = s.putObject("properties");
        for (ConfigKey k : keys) {
            String[] path = k.name().split("\\.");
            ObjectNode at = props;
            for (int i = 0; i < path.length - 1; i++) {
                ObjectNode section = at.has(path[i]) ? (ObjectNode) at.get(path[i]) : at.putObject(path[i]);
                if (!section.has("type")) {
                    section.put("type", "object");
                    section.put("additionalProperties", false);
                }
                at = section.has("properties") ? (ObjectNode) section.get("properties")
                        : section.putObject("properties");
            }
            ObjectNode n = at.putObject(path[path.length - 1]);
            n.put("description", k.description() + " (env " + k.envName() + ")");
            switch (k.type()) {
                case STRING -> n.put("type", "string");
                case INTEGER -> n.put("type", "integer");
                case BOOLEAN -> n.put("type", "boolean");
                case LIST -> {
                    n.put("type", "array");
                    n.putObject("items").put("type", "string");
                }
                default -> throw new IllegalStateException(k.type().name());
            }
            n.set("default", JSON.valueToTree(k.defaultValue()));
        }
        ObjectNode ns = props.putObject("notifiers");
        ns.put("description", "Notifier settings by notifier name: the built-ins' (docs/notifiers.md), or any for a"
                + " notifier route of routes_directory");
        ns.put("type", "object");
        ObjectNode np = ns.putObject("properties");
        for (NotifierSpec n : notifiers) {
            ObjectNode section = np.putObject(n.name());
            section.put("description", n.description());
            section.putArray("type").add("object").add("null");
            ObjectNode sp = section.putObject("properties");
            for (SettingSpec st : n.settings().values()) {
                ObjectNode v = sp.putObject(st.name());
                if (st.description() != null && !st.description().isEmpty()) {
                    v.put("description", st.description());
                }
                switch (st.kind()) {
                    case TEXT -> v.putArray("type").add("string").add("number").add("boolean").add("null");
                    case FLAG -> {
                        ArrayNode any = v.putArray("anyOf");
                        any.addObject().put("type", "boolean");
                        any.addObject().putArray("enum").add("true").add("false");
                    }
                    case HEADERS -> {
                        v.putArray("type").add("object").add("null");
                        v.putObject("additionalProperties").put("type", "string");
                    }
                    case INTEGER -> {
                        v.put("type", "integer");
                        if (st.name().equals(NotifierSpec.WORKERS)) {
                            v.put("minimum", 1);
                            v.put("maximum", NotifierSpec.MAX_WORKERS);
                        }
                    }
                    default -> throw new IllegalStateException(st.kind().name());
                }
            }
            section.put("additionalProperties", false);
        }
        ns.putObject("additionalProperties").putArray("type").add("object").add("null");
        s.put("additionalProperties", false);
        return s;
    }

    // ------------------------------------------------------------------ helpers

    private static ObjectNode object(String description) {
        ObjectNode o = JSON.createObjectNode();
        o.put("description", description);
        o.put("type", "object");
        o.put("additionalProperties", false);
        return o;
    }

    private static ObjectNode string(String description) {
        ObjectNode o = JSON.createObjectNode();
        o.put("description", description);
        o.put("type", "string");
        return o;
    }

    private static ObjectNode nonEmptyString(String description) {
        ObjectNode o = string(description);
        o.put("minLength", 1);
        return o;
    }

    /** true or false; the quoted "true" / "false" upstream's files use are accepted too, as Talon does. */
    private static ObjectNode bool(String description) {
        ObjectNode o = JSON.createObjectNode();
        o.put("description", description);
        ArrayNode any = o.putArray("anyOf");
        any.addObject().put("type", "boolean");
        any.addObject().putArray("enum").add("true").add("false");
        return o;
    }

    private static ObjectNode strings(String description) {
        ObjectNode o = JSON.createObjectNode();
        o.put("description", description);
        o.put("type", "array");
        o.putObject("items").put("type", "string").put("minLength", 1);
        return o;
    }
}
