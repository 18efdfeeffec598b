package org.falcosecurity.talon.rules.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.falcosecurity.talon.rules.Durations;
import org.falcosecurity.talon.catalog.Suggestions;
import org.falcosecurity.talon.rules.FieldTerm;
import org.falcosecurity.talon.rules.PriorityCondition;
import org.falcosecurity.talon.rules.load.RuleDrafts.ActionDraft;
import org.falcosecurity.talon.rules.load.RuleDrafts.RuleDraft;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads one rule file into drafts: its {@code - rule:} and {@code - action:} blocks, each merged into an earlier
 * block of the same name. Every problem is reported with the file, the block and the field; a block with problems
 * is still read as far as it goes, so one pass finds them all.
 */
final class RuleFileReader {

    // package-private: the rule-file schema (schemas/rules.schema.json) is checked against them by a test
    static final Set<String> ACTION_KEYS = Set.of("action", "actionner", "description", "continue",
            "ignore_errors", "parameters", "output", "additional_contexts", "ttl");
    static final Set<String> RULE_KEYS = Set.of("rule", "description", "match", "continue", "dry_run",
            "actions", "notifiers");
    static final Set<String> MATCH_KEYS = Set.of("rules", "priority", "tags", "output_fields", "source");
    static final Set<String> INLINE_ACTION_KEYS = ACTION_KEYS;
    static final Set<String> OUTPUT_KEYS = Set.of("target", "parameters");

    private static final ObjectMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build()).build();

    private final RuleSource src;
    private final RuleErrors errors;
    private final YamlValues values;

    private RuleFileReader(RuleSource src, RuleErrors errors) {
        this.src = src;
        this.errors = errors;
        this.values = new YamlValues(src.name(), errors);
    }

    /** Reads {@code src}, merging its blocks into {@code actions} and {@code rules}. */
    static void read(RuleSource src, RuleErrors errors, Map<String, ActionDraft> actions,
                     Map<String, RuleDraft> rules) {
        new RuleFileReader(src, errors).readFile(actions, rules);
    }

    private void readFile(Map<String, ActionDraft> actions, Map<String, RuleDraft> rules) {
        JsonNode root;
        try {
            root = YAML.readTree(src.content());
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
                    + YamlValues.kind(root));
            return;
        }
        int i = 0;
        for (JsonNode block : root) {
            i++;
            String label = "block #" + i;
            if (!block.isObject()) {
                errors.add(src.name(), label, null, "expected a mapping with 'rule' or 'action', got "
                        + YamlValues.kind(block));
            } else if (block.has("rule") && block.has("action")) {
                errors.add(src.name(), label, null, "has both 'rule' and 'action'; a block is one or the other");
            } else if (block.has("rule")) {
                readRule(label, block, rules);
            } else if (block.has("action")) {
                readActionBlock(label, block, actions);
            } else {
                // upstream Falco Talon skips such a block without a word
                List<String> keys = YamlValues.keys(block);
                String hint = keys.stream().map(k -> Suggestions.closest(k, List.of("rule", "action")))
                        .flatMap(java.util.Optional::stream).findFirst().map(k -> ", did you mean " + k + "?")
                        .orElse("");
                errors.warn(src.name(), label, null, "has neither 'rule' nor 'action' (keys: "
                        + String.join(", ", keys) + "): ignored" + hint);
            }
        }
    }

    private void readActionBlock(String label, JsonNode block, Map<String, ActionDraft> actions) {
        String name = name(label, block, "action");
        if (name == null) {
            return;
        }
        String where = "action '" + name + "'";
        values.unknownKeys(where, "", block, ACTION_KEYS);
        ActionDraft d = readActionFields(where, "", block);
        d.name = name;
        d.files.add(src.name());
        ActionDraft existing = actions.get(name);
        if (existing == null) {
            actions.put(name, d);
        } else {
            existing.mergeFrom(d);
        }
    }

    private ActionDraft readActionFields(String where, String prefix, JsonNode block) {
        ActionDraft d = new ActionDraft();
        d.directory = src.directory();
        String actionner = values.text(where, prefix + "actionner", block.get("actionner"),
                "a non-empty string such as 'kubernetes:terminate'");
        d.actionner = actionner == null ? null : actionner.trim();
        d.continueFlag = values.bool(where, prefix + "continue", block.get("continue"));
        d.ignoreErrors = values.bool(where, prefix + "ignore_errors", block.get("ignore_errors"));
        String ttl = values.text(where, prefix + "ttl", block.get("ttl"), "a duration such as '30m'");
        if (ttl != null) {
            try {
                d.ttl = Durations.parse(ttl);
            } catch (IllegalArgumentException e) {
                values.error(where, prefix + "ttl", e.getMessage());
            }
        }
        d.parameters = parameters(where, prefix + "parameters", block.get("parameters"));
        d.description = description(where, prefix + "description", block.get("description"));
        readOutput(where, prefix, block.get("output"), d);
        d.additionalContexts.addAll(values.strings(where, prefix + "additional_contexts",
                block.get("additional_contexts")));
        return d;
    }

    private Map<String, Object> parameters(String where, String field, JsonNode params) {
        if (params == null || params.isNull()) {
            return null;
        }
        if (!params.isObject()) {
            values.error(where, field, "must be a map of parameter names to values, got " + YamlValues.kind(params));
            return null;
        }
        return toJava(params);
    }

    /**
     * {@code output: {target: <category:name>, parameters: {...}}}; checked when rules compile, after blocks merge (a
     * later block may change only the parameters).
     */
    private void readOutput(String where, String prefix, JsonNode output, ActionDraft d) {
        if (output == null || output.isNull()) {
            return;
        }
        if (!output.isObject()) {
            values.error(where, prefix + "output", "must be a mapping with 'target' and 'parameters', got "
                    + YamlValues.kind(output));
            return;
        }
        values.unknownKeys(where, prefix + "output.", output, OUTPUT_KEYS);
        String target = values.text(where, prefix + "output.target", output.get("target"),
                "a non-empty string such as 'aws:s3'");
        d.outputTarget = target == null ? null : target.trim();
        d.outputParameters = parameters(where, prefix + "output.parameters", output.get("parameters"));
        d.hasOutput = true;
    }

    private void readRule(String label, JsonNode block, Map<String, RuleDraft> rules) {
        String name = name(label, block, "rule");
        if (name == null) {
            return;
        }
        String where = "rule '" + name + "'";
        values.unknownKeys(where, "", block, RULE_KEYS);
        RuleDraft d = new RuleDraft();
        d.name = name;
        d.files.add(src.name());
        d.description = description(where, "description", block.get("description"));
        d.continueFlag = values.bool(where, "continue", block.get("continue"));
        d.dryRun = values.bool(where, "dry_run", block.get("dry_run"));
        readMatch(where, block.get("match"), d);
        readInlineActions(where, block.get("actions"), d);
        d.notifiers.addAll(values.strings(where, "notifiers", block.get("notifiers")));
        RuleDraft existing = rules.get(name);
        if (existing == null) {
            rules.put(name, d);
        } else {
            existing.mergeFrom(d);
        }
    }

    private void readMatch(String where, JsonNode match, RuleDraft d) {
        if (match == null || match.isNull()) {
            return;
        }
        if (!match.isObject()) {
            values.error(where, "match", "must be a mapping (rules, priority, tags, output_fields, source), got "
                    + YamlValues.kind(match));
            return;
        }
        values.unknownKeys(where, "match.", match, MATCH_KEYS);
        d.rules.addAll(values.strings(where, "match.rules", match.get("rules")));
        JsonNode prio = match.get("priority");
        if (prio != null && !prio.isNull()) {
            if (!prio.isTextual()) {
                values.error(where, "match.priority", "must be a string such as '>=Critical', got "
                        + YamlValues.kind(prio));
            } else {
                try {
                    d.priority = PriorityCondition.parse(prio.textValue());
                } catch (IllegalArgumentException e) {
                    values.error(where, "match.priority", e.getMessage());
                }
            }
        }
        readTags(where, values.strings(where, "match.tags", match.get("tags")), d);
        readOutputFields(where, values.strings(where, "match.output_fields", match.get("output_fields")), d);
        d.source = values.text(where, "match.source", match.get("source"), "a non-empty string such as 'syscall'");
    }

    /** Each entry is tags separated by commas (all required); entries are alternatives. */
    private void readTags(String where, List<String> tags, RuleDraft d) {
        for (int i = 0; i < tags.size(); i++) {
            Set<String> entry = new LinkedHashSet<>();
            for (String t : tags.get(i).split(",", -1)) {
                if (t.isBlank()) {
                    values.error(where, "match.tags[" + i + "]", "'" + tags.get(i)
                            + "' has an empty tag (tags are separated by commas)");
                    entry = null;
                    break;
                }
                entry.add(t.trim());
            }
            if (entry != null) {
                d.tags.add(entry);
            }
        }
    }

    /** Each entry is terms separated by commas (all must hold); entries are alternatives. */
    private void readOutputFields(String where, List<String> fields, RuleDraft d) {
        for (int i = 0; i < fields.size(); i++) {
            List<FieldTerm> entry = List.of();
            boolean ok = true;
            try {
                entry = FieldTerm.parseAll(fields.get(i));
            } catch (IllegalArgumentException e) {
                values.error(where, "match.output_fields[" + i + "]", e.getMessage());
                ok = false;
            }
            if (ok) {
                d.outputFields.add(entry);
            }
        }
    }

    private void readInlineActions(String where, JsonNode acts, RuleDraft d) {
        if (acts == null || acts.isNull()) {
            return;
        }
        if (!acts.isArray()) {
            values.error(where, "actions", "must be a list of '- action:' entries, got " + YamlValues.kind(acts));
            return;
        }
        int i = 0;
        for (JsonNode a : acts) {
            String prefix = "actions[" + i + "].";
            JsonNode an = a.isObject() ? a.get("action") : null;
            if (!a.isObject()) {
                values.error(where, "actions[" + i + "]", "must be a mapping with 'action', got "
                        + YamlValues.kind(a));
            } else if (an == null || !an.isTextual() || an.textValue().isBlank()) {
                values.error(where, prefix + "action", "is required: the name of the action (an action block's"
                        + " name, or a new name with an 'actionner')");
            } else {
                values.unknownKeys(where, prefix, a, INLINE_ACTION_KEYS);
                ActionDraft ad = readActionFields(where, prefix, a);
                ad.name = an.textValue().trim();
                ad.files.add(src.name());
                d.actions.add(ad);
            }
            i++;
        }
    }

    private String description(String where, String field, JsonNode desc) {
        if (desc == null || desc.isNull()) {
            return null;
        }
        if (!desc.isTextual()) {
            values.error(where, field, "must be a string, got " + YamlValues.kind(desc));
            return null;
        }
        return desc.textValue();
    }

    private String name(String label, JsonNode block, String key) {
        JsonNode n = block.get(key);
        if (n == null || !n.isTextual() || n.textValue().isBlank()) {
            values.error(label, key, "must be a non-empty name, got " + (n == null ? "nothing" : YamlValues.kind(n)));
            return null;
        }
        return n.textValue().trim();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> toJava(JsonNode node) {
        return YAML.convertValue(node, LinkedHashMap.class);
    }
}
