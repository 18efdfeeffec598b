package org.falcosecurity.talon.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads, merges and validates rule files.
 *
 * <p>Files are read in order. A block ({@code - rule:} or {@code - action:}) with the same name as an earlier one
 * updates it: scalars are replaced when the later block sets them, lists are appended, maps are merged key by key
 * (later wins). A rule's inline action that names an action block inherits that block's actionner and parameters;
 * inline settings override scalars, append to lists and merge into maps.
 *
 * <p>Every problem is reported, each naming the file, the block and the field.
 */
public final class RulesLoader {

    private static final Set<String> ACTION_KEYS = Set.of("action", "actionner", "description", "continue",
            "ignore_errors", "parameters");
    private static final Set<String> RULE_KEYS = Set.of("rule", "description", "match", "continue", "dry_run",
            "actions", "notifiers");
    private static final Set<String> MATCH_KEYS = Set.of("rules", "priority", "tags", "output_fields", "source");
    private static final Set<String> INLINE_ACTION_KEYS = Set.of("action", "actionner", "continue", "ignore_errors",
            "parameters");

    private final Catalog catalog;
    private final ObjectMapper yaml;

    public RulesLoader(Catalog catalog) {
        this.catalog = catalog;
        this.yaml = YAMLMapper.builder(YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build()).build();
    }

    public LoadResult load(List<RuleSource> sources) {
        Errors errors = new Errors();
        Map<String, ActionDraft> actions = new LinkedHashMap<>();
        Map<String, RuleDraft> rules = new LinkedHashMap<>();
        List<String> files = new ArrayList<>();
        for (RuleSource src : sources) {
            files.add(src.name());
            readFile(src, errors, actions, rules);
        }

        Map<String, Action> resolvedBlocks = new LinkedHashMap<>();
        Set<String> invalidBlocks = new LinkedHashSet<>();
        for (ActionDraft a : actions.values()) {
            int before = errors.size();
            Action resolved = resolve(a, null, "action '" + a.name + "'", "", errors);
            if (resolved != null && errors.size() == before) {
                resolvedBlocks.put(a.name, resolved);
            } else {
                invalidBlocks.add(a.name);
            }
        }

        List<Rule> compiled = new ArrayList<>();
        for (RuleDraft r : rules.values()) {
            Rule rule = compile(r, actions, invalidBlocks, errors);
            if (rule != null) {
                compiled.add(rule);
            }
        }
        if (!errors.list.isEmpty()) {
            return new LoadResult(null, errors.list);
        }
        return new LoadResult(new RuleSet(compiled, files), List.of());
    }

    // ------------------------------------------------------------------ reading

    private void readFile(RuleSource src, Errors errors, Map<String, ActionDraft> actions,
                          Map<String, RuleDraft> rules) {
        JsonNode root;
        try {
            root = yaml.readTree(src.content());
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ": ";
            errors.add(src.name(), null, null, where + "not valid YAML: " + e.getOriginalMessage());
            return;
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return; // an empty file defines nothing
        }
        if (!root.isArray()) {
            errors.add(src.name(), null, null, "expected a list of '- rule:' and '- action:' blocks, got "
                    + kind(root));
            return;
        }
        int i = 0;
        for (JsonNode block : root) {
            i++;
            String label = "block #" + i;
            if (!block.isObject()) {
                errors.add(src.name(), label, null, "expected a mapping with 'rule' or 'action', got " + kind(block));
                continue;
            }
            boolean isRule = block.has("rule");
            boolean isAction = block.has("action");
            if (isRule && isAction) {
                errors.add(src.name(), label, null, "has both 'rule' and 'action'; a block is one or the other");
            } else if (isRule) {
                readRule(src, label, block, errors, rules);
            } else if (isAction) {
                readActionBlock(src, label, block, errors, actions);
            } else {
                errors.add(src.name(), label, null, "has neither 'rule' nor 'action' (keys: "
                        + String.join(", ", keys(block)) + ")");
            }
        }
    }

    private void readActionBlock(RuleSource src, String label, JsonNode block, Errors errors,
                                 Map<String, ActionDraft> actions) {
        String name = name(src, label, block, "action", errors);
        if (name == null) {
            return;
        }
        String where = "action '" + name + "'";
        unknownKeys(src, where, "", block, ACTION_KEYS, errors);
        ActionDraft d = readActionFields(src, where, "", block, errors);
        d.name = name;
        d.files.add(src.name());
        ActionDraft existing = actions.get(name);
        if (existing == null) {
            actions.put(name, d);
        } else {
            existing.mergeFrom(d);
        }
    }

    private ActionDraft readActionFields(RuleSource src, String where, String prefix, JsonNode block, Errors errors) {
        ActionDraft d = new ActionDraft();
        d.directory = src.directory();
        JsonNode actionner = block.get("actionner");
        if (actionner != null && !actionner.isNull()) {
            if (!actionner.isTextual() || actionner.textValue().isBlank()) {
                errors.add(src.name(), where, prefix + "actionner", "must be a non-empty string such as"
                        + " 'kubernetes:terminate', got " + kind(actionner));
            } else {
                d.actionner = actionner.textValue().trim();
            }
        }
        d.continueFlag = bool(src, where, prefix + "continue", block.get("continue"), errors);
        d.ignoreErrors = bool(src, where, prefix + "ignore_errors", block.get("ignore_errors"), errors);
        JsonNode params = block.get("parameters");
        if (params != null && !params.isNull()) {
            if (!params.isObject()) {
                errors.add(src.name(), where, prefix + "parameters", "must be a map of parameter names to values,"
                        + " got " + kind(params));
            } else {
                d.parameters = toJava(params);
            }
        }
        return d;
    }

    private void readRule(RuleSource src, String label, JsonNode block, Errors errors, Map<String, RuleDraft> rules) {
        String name = name(src, label, block, "rule", errors);
        if (name == null) {
            return;
        }
        String where = "rule '" + name + "'";
        unknownKeys(src, where, "", block, RULE_KEYS, errors);
        RuleDraft d = new RuleDraft();
        d.name = name;
        d.files.add(src.name());
        JsonNode desc = block.get("description");
        if (desc != null && !desc.isNull()) {
            if (desc.isTextual()) {
                d.description = desc.textValue();
            } else {
                errors.add(src.name(), where, "description", "must be a string, got " + kind(desc));
            }
        }
        d.continueFlag = bool(src, where, "continue", block.get("continue"), errors);
        d.dryRun = bool(src, where, "dry_run", block.get("dry_run"), errors);

        JsonNode match = block.get("match");
        if (match != null && !match.isNull()) {
            if (!match.isObject()) {
                errors.add(src.name(), where, "match", "must be a mapping (rules, priority, tags, output_fields,"
                        + " source), got " + kind(match));
            } else {
                unknownKeys(src, where, "match.", match, MATCH_KEYS, errors);
                d.rules = strings(src, where, "match.rules", match.get("rules"), errors);
                JsonNode prio = match.get("priority");
                if (prio != null && !prio.isNull()) {
                    if (!prio.isTextual()) {
                        errors.add(src.name(), where, "match.priority", "must be a string such as '>=Critical', got "
                                + kind(prio));
                    } else {
                        try {
                            d.priority = PriorityCondition.parse(prio.textValue());
                        } catch (IllegalArgumentException e) {
                            errors.add(src.name(), where, "match.priority", e.getMessage());
                        }
                    }
                }
                List<String> tags = strings(src, where, "match.tags", match.get("tags"), errors);
                for (int i = 0; i < tags.size(); i++) {
                    Set<String> entry = new LinkedHashSet<>();
                    boolean ok = true;
                    for (String t : tags.get(i).split(",", -1)) {
                        if (t.isBlank()) {
                            errors.add(src.name(), where, "match.tags[" + i + "]", "'" + tags.get(i)
                                    + "' has an empty tag (tags are separated by commas)");
                            ok = false;
                            break;
                        }
                        entry.add(t.trim());
                    }
                    if (ok) {
                        d.tags.add(entry);
                    }
                }
                List<String> fields = strings(src, where, "match.output_fields", match.get("output_fields"), errors);
                for (int i = 0; i < fields.size(); i++) {
                    List<FieldTerm> entry = new ArrayList<>();
                    boolean ok = true;
                    for (String term : fields.get(i).split(",", -1)) {
                        try {
                            entry.add(FieldTerm.parse(term));
                        } catch (IllegalArgumentException e) {
                            errors.add(src.name(), where, "match.output_fields[" + i + "]", e.getMessage());
                            ok = false;
                        }
                    }
                    if (ok) {
                        d.outputFields.add(entry);
                    }
                }
                JsonNode source = match.get("source");
                if (source != null && !source.isNull()) {
                    if (!source.isTextual() || source.textValue().isBlank()) {
                        errors.add(src.name(), where, "match.source", "must be a non-empty string such as 'syscall',"
                                + " got " + kind(source));
                    } else {
                        d.source = source.textValue();
                    }
                }
            }
        }

        JsonNode acts = block.get("actions");
        if (acts != null && !acts.isNull()) {
            if (!acts.isArray()) {
                errors.add(src.name(), where, "actions", "must be a list of '- action:' entries, got " + kind(acts));
            } else {
                int i = 0;
                for (JsonNode a : acts) {
                    String prefix = "actions[" + i + "].";
                    if (!a.isObject()) {
                        errors.add(src.name(), where, "actions[" + i + "]", "must be a mapping with 'action', got "
                                + kind(a));
                    } else {
                        JsonNode an = a.get("action");
                        if (an == null || !an.isTextual() || an.textValue().isBlank()) {
                            errors.add(src.name(), where, prefix + "action", "is required: the name of the action"
                                    + " (an action block's name, or a new name with an 'actionner')");
                        } else {
                            unknownKeys(src, where, prefix, a, INLINE_ACTION_KEYS, errors);
                            ActionDraft ad = readActionFields(src, where, prefix, a, errors);
                            ad.name = an.textValue().trim();
                            ad.files.add(src.name());
                            d.actions.add(ad);
                        }
                    }
                    i++;
                }
            }
        }
        d.notifiers = strings(src, where, "notifiers", block.get("notifiers"), errors);

        RuleDraft existing = rules.get(name);
        if (existing == null) {
            rules.put(name, d);
        } else {
            existing.mergeFrom(d);
        }
    }

    // ------------------------------------------------------------------ compiling

    private Rule compile(RuleDraft r, Map<String, ActionDraft> blocks, Set<String> invalidBlocks, Errors errors) {
        String where = "rule '" + r.name + "'";
        String files = String.join(", ", r.files);
        int before = errors.size();
        if (r.actions.isEmpty()) {
            errors.add(files, where, "actions", "a rule needs at least one action");
        }
        List<Action> resolved = new ArrayList<>();
        for (int i = 0; i < r.actions.size(); i++) {
            ActionDraft inline = r.actions.get(i);
            ActionDraft block = blocks.get(inline.name);
            if (block != null && invalidBlocks.contains(inline.name)) {
                continue; // the block's own problems are reported once, under its name
            }
            Action a = resolve(inline, block, where, "actions[" + i + "].", errors);
            if (a != null) {
                resolved.add(a);
            }
        }
        for (String n : r.notifiers) {
            if (!catalog.hasNotifier(n)) {
                errors.add(files, where, "notifiers", "unknown notifier '" + n + "' (known: "
                        + String.join(", ", catalog.notifierNames()) + ")");
            }
        }
        if (errors.size() != before) {
            return null;
        }
        Match match = new Match(r.rules, r.priority, r.tags, r.outputFields, r.source);
        return new Rule(r.name, r.description == null ? "" : r.description, match,
                r.continueFlag == null || r.continueFlag, r.dryRun != null && r.dryRun, resolved,
                List.copyOf(new LinkedHashSet<>(r.notifiers)), List.copyOf(r.files));
    }

    /** Merges an inline action over its block (if any) and validates the result against the actionner. */
    private Action resolve(ActionDraft inline, ActionDraft block, String where, String prefix, Errors errors) {
        ActionDraft d = new ActionDraft();
        d.name = inline.name;
        if (block != null) {
            d.mergeFrom(block);
        }
        d.mergeFrom(inline);
        String files = String.join(", ", block == null ? inline.files : union(block.files, inline.files));
        if (d.actionner == null) {
            errors.add(files, where, prefix + "actionner", block == null && !prefix.isEmpty()
                    ? "action '" + d.name + "' is not defined by an action block and sets no actionner"
                    : "is required (e.g. 'kubernetes:terminate')");
            return null;
        }
        if (!Catalog.ACTIONNER_NAME.matcher(d.actionner).matches()) {
            errors.add(files, where, prefix + "actionner", "'" + d.actionner + "' is not an actionner name"
                    + " (expected category:name, e.g. kubernetes:terminate)");
            return null;
        }
        ActionnerSpec spec = catalog.actionner(d.actionner).orElse(null);
        if (spec == null) {
            errors.add(files, where, prefix + "actionner", "unknown actionner '" + d.actionner + "' (known: "
                    + String.join(", ", catalog.actionnerNames()) + ")");
            return null;
        }
        Map<String, Object> params = d.parameters == null ? Map.of() : d.parameters;
        List<String> problems = spec.validate(params);
        for (String p : problems) {
            int colon = p.indexOf(": ");
            errors.add(files, where, prefix + p.substring(0, colon), p.substring(colon + 2));
        }
        if (!problems.isEmpty()) {
            return null;
        }
        Map<String, Object> run;
        try {
            run = spec.resolve(params, d.directory);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            int colon = m.indexOf(": ");
            errors.add(files, where, prefix + m.substring(0, colon), m.substring(colon + 2));
            return null;
        }
        boolean cont = d.continueFlag != null ? d.continueFlag : spec.defaultContinue();
        return new Action(d.name, d.actionner, cont, d.ignoreErrors != null && d.ignoreErrors,
                Immutables.deepCopy(params), Immutables.deepCopy(run));
    }

    // ------------------------------------------------------------------ helpers

    private String name(RuleSource src, String label, JsonNode block, String key, Errors errors) {
        JsonNode n = block.get(key);
        if (n == null || !n.isTextual() || n.textValue().isBlank()) {
            errors.add(src.name(), label, key, "must be a non-empty name, got " + (n == null ? "nothing" : kind(n)));
            return null;
        }
        return n.textValue().trim();
    }

    private static void unknownKeys(RuleSource src, String where, String prefix, JsonNode node, Set<String> allowed,
                                    Errors errors) {
        for (String k : keys(node)) {
            if (!allowed.contains(k)) {
                errors.add(src.name(), where, prefix + k, "unknown key (allowed: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    private static Boolean bool(RuleSource src, String where, String field, JsonNode v, Errors errors) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            errors.add(src.name(), where, field, "must be true or false, got " + kind(v));
            return null;
        }
        return v.booleanValue();
    }

    private static List<String> strings(RuleSource src, String where, String field, JsonNode v, Errors errors) {
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            errors.add(src.name(), where, field, "must be a list of strings (one '- item' per line), got " + kind(v));
            return out;
        }
        int i = 0;
        for (JsonNode e : v) {
            if (!e.isTextual() || e.textValue().isBlank()) {
                errors.add(src.name(), where, field + "[" + i + "]", "must be a non-empty string, got " + kind(e));
            } else {
                out.add(e.textValue().trim());
            }
            i++;
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> toJava(JsonNode node) {
        return yaml.convertValue(node, LinkedHashMap.class);
    }

    private static List<String> keys(JsonNode node) {
        List<String> keys = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        return keys;
    }

    private static String kind(JsonNode v) {
        if (v.isTextual()) {
            return "the string '" + EventParser.truncate(v.textValue(), 40) + "'";
        }
        if (v.isBoolean() || v.isNumber()) {
            return "the value " + v;
        }
        if (v.isArray()) {
            return "a list";
        }
        if (v.isObject()) {
            return "a mapping";
        }
        if (v.isNull()) {
            return "nothing (null)";
        }
        return v.getNodeType().name().toLowerCase();
    }

    private static List<String> union(List<String> a, List<String> b) {
        Set<String> s = new LinkedHashSet<>(a);
        s.addAll(b);
        return new ArrayList<>(s);
    }

    /** Deep merge: maps key by key (recursively), lists appended, other values replaced. */
    @SuppressWarnings("unchecked")
    static Object merge(Object base, Object over) {
        if (base instanceof Map<?, ?> bm && over instanceof Map<?, ?> om) {
            Map<String, Object> out = new LinkedHashMap<>((Map<String, Object>) bm);
            for (Map.Entry<?, ?> e : om.entrySet()) {
                String k = (String) e.getKey();
                out.put(k, out.containsKey(k) ? merge(out.get(k), e.getValue()) : e.getValue());
            }
            return out;
        }
        if (base instanceof List<?> bl && over instanceof List<?> ol) {
            List<Object> out = new ArrayList<>(bl);
            out.addAll(ol);
            return out;
        }
        return over;
    }

    // ------------------------------------------------------------------ drafts

    private static final class ActionDraft {
        String name;
        String actionner;
        Boolean continueFlag;
        Boolean ignoreErrors;
        Map<String, Object> parameters;
        Path directory;
        final List<String> files = new ArrayList<>();

        @SuppressWarnings("unchecked")
        void mergeFrom(ActionDraft later) {
            if (later.actionner != null) {
                actionner = later.actionner;
            }
            if (later.continueFlag != null) {
                continueFlag = later.continueFlag;
            }
            if (later.ignoreErrors != null) {
                ignoreErrors = later.ignoreErrors;
            }
            if (later.parameters != null) {
                parameters = parameters == null ? new LinkedHashMap<>(later.parameters)
                        : (Map<String, Object>) merge(parameters, later.parameters);
            }
            if (later.directory != null && later.parameters != null && later.parameters.containsKey("file")) {
                directory = later.directory; // a script 'file' is relative to the file that set it
            } else if (directory == null) {
                directory = later.directory;
            }
            for (String f : later.files) {
                if (!files.contains(f)) {
                    files.add(f);
                }
            }
        }
    }

    private static final class RuleDraft {
        String name;
        String description;
        List<String> rules = new ArrayList<>();
        PriorityCondition priority;
        final List<Set<String>> tags = new ArrayList<>();
        final List<List<FieldTerm>> outputFields = new ArrayList<>();
        String source;
        Boolean continueFlag;
        Boolean dryRun;
        final List<ActionDraft> actions = new ArrayList<>();
        List<String> notifiers = new ArrayList<>();
        final List<String> files = new ArrayList<>();

        void mergeFrom(RuleDraft later) {
            if (later.description != null) {
                description = later.description;
            }
            rules.addAll(later.rules);
            if (later.priority != null) {
                priority = later.priority;
            }
            tags.addAll(later.tags);
            outputFields.addAll(later.outputFields);
            if (later.source != null) {
                source = later.source;
            }
            if (later.continueFlag != null) {
                continueFlag = later.continueFlag;
            }
            if (later.dryRun != null) {
                dryRun = later.dryRun;
            }
            actions.addAll(later.actions);
            notifiers.addAll(later.notifiers);
            for (String f : later.files) {
                if (!files.contains(f)) {
                    files.add(f);
                }
            }
        }
    }

    private static final class Errors {
        final List<RuleError> list = new ArrayList<>();

        void add(String file, String block, String field, String message) {
            list.add(new RuleError(file, block, field, message));
        }

        int size() {
            return list.size();
        }
    }
}
