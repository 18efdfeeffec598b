package org.falcosecurity.talon.rules.load;

import org.falcosecurity.talon.catalog.ActionnerSpec;
import org.falcosecurity.talon.catalog.Catalog;
import org.falcosecurity.talon.catalog.Problem;
import org.falcosecurity.talon.rules.Action;
import org.falcosecurity.talon.rules.Match;
import org.falcosecurity.talon.rules.Rule;
import org.falcosecurity.talon.rules.load.RuleDrafts.ActionDraft;
import org.falcosecurity.talon.rules.load.RuleDrafts.RuleDraft;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns merged drafts into validated {@link Rule}s: a rule's inline action that names an action block inherits that
 * block's actionner and parameters (inline settings override scalars, append to lists and merge into maps); the
 * actionner must exist and its declaration accept the parameters; the notifiers must exist.
 */
final class RuleCompiler {

    private static final java.time.Duration MIN_TTL = java.time.Duration.ofSeconds(1);

    private final Catalog catalog;
    private final RuleErrors errors;

    RuleCompiler(Catalog catalog, RuleErrors errors) {
        this.catalog = catalog;
        this.errors = errors;
    }

    /** The valid action blocks' names; the invalid ones are reported once, under their own name. */
    Set<String> invalidBlocks(Map<String, ActionDraft> blocks) {
        Set<String> invalid = new LinkedHashSet<>();
        for (ActionDraft a : blocks.values()) {
            int before = errors.size();
            Action resolved = resolve(a, null, "action '" + a.name + "'", "");
            if (resolved == null || errors.size() != before) {
                invalid.add(a.name);
            }
        }
        return invalid;
    }

    /** The rule, or {@code null} when it has problems (reported). */
    Rule compile(RuleDraft r, Map<String, ActionDraft> blocks, Set<String> invalidBlocks) {
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
            Action a = resolve(inline, block, where, "actions[" + i + "].");
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
    private Action resolve(ActionDraft inline, ActionDraft block, String where, String prefix) {
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
        List<Problem> problems = spec.validate(params);
        for (Problem p : problems) {
            errors.add(files, where, prefix + p.field(), p.message());
        }
        if (!problems.isEmpty()) {
            return null;
        }
        Map<String, Object> run;
        try {
            run = spec.resolve(params, d.directory);
        } catch (ActionnerSpec.InvalidParameterException e) {
            errors.add(files, where, prefix + e.problem().field(), e.problem().message());
            return null;
        }
        if (d.ttl != null && !spec.reversible()) {
            errors.add(files, where, prefix + "ttl", d.actionner + " cannot be reverted: ttl is only for the"
                    + " reversible actionners (" + String.join(", ", catalog.reversibleActionnerNames()) + ")");
            return null;
        }
        if (d.ttl != null && d.ttl.compareTo(MIN_TTL) < 0) {
            errors.add(files, where, prefix + "ttl", "must be at least 1s");
            return null;
        }
        boolean cont = d.continueFlag != null ? d.continueFlag : spec.defaultContinue();
        return new Action(d.name, d.actionner, cont, d.ignoreErrors != null && d.ignoreErrors,
                Immutables.deepCopy(params), Immutables.deepCopy(run), d.ttl);
    }

    private static List<String> union(List<String> a, List<String> b) {
        Set<String> s = new LinkedHashSet<>(a);
        s.addAll(b);
        return new ArrayList<>(s);
    }
}
