package org.falcosecurity.talon.rules.load;

import org.falcosecurity.talon.catalog.ActionnerSpec;
import org.falcosecurity.talon.catalog.Catalog;
import org.falcosecurity.talon.catalog.OutputSpec;
import org.falcosecurity.talon.catalog.OutputUse;
import org.falcosecurity.talon.catalog.Problem;
import org.falcosecurity.talon.catalog.Suggestions;
import org.falcosecurity.talon.rules.Action;
import org.falcosecurity.talon.rules.ActionOutput;
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
        // warnings name what this block or inline action wrote itself (a block's own are reported under its name)
        Map<String, Object> params = known(spec.unknownParameters(d.parameters == null ? Map.of() : d.parameters),
                d.parameters, keys(inline.parameters), files, where, prefix + "parameters.", d.actionner,
                spec.params().keySet());
        int before = errors.size();
        for (Problem p : spec.validate(params)) {
            errors.add(files, where, prefix + p.field(), p.message());
        }
        ActionOutput output = output(d, inline, spec, files, where, prefix);
        List<String> contexts = contexts(d, inline, spec, files, where, prefix);
        if (errors.size() != before) {
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
                Immutables.deepCopy(params), Immutables.deepCopy(run), d.description, output, contexts, d.ttl);
    }

    /**
     * The parameters without the ones the declaration does not know: upstream Falco Talon ignores those silently
     * ({@code gracePeriods}, {@code ignoreDaemonsets}); here each is a warning naming the closest known one.
     */
    private Map<String, Object> known(List<String> unknown, Map<String, Object> params, Set<String> own,
                                      String files, String where, String prefix, String owner,
                                      java.util.Collection<String> declared) {
        if (params == null) {
            return Map.of();
        }
        if (unknown.isEmpty()) {
            return params;
        }
        Map<String, Object> kept = new java.util.LinkedHashMap<>(params);
        for (String k : unknown) {
            kept.remove(k);
            if (!own.contains(k)) {
                continue;
            }
            errors.warn(files, where, prefix + k, "unknown parameter for " + owner + ", ignored"
                    + (declared.isEmpty() ? " (it takes no parameters)"
                    : Suggestions.closest(k, declared).map(s -> " (did you mean " + s + "?)")
                    .orElse(" (known: " + String.join(", ", declared) + ")")));
        }
        return kept;
    }

    /** The action's output, checked as upstream does: a known target with parameters, required or not used. */
    private ActionOutput output(ActionDraft d, ActionDraft own, ActionnerSpec spec, String files, String where,
                                String prefix) {
        if (!d.hasOutput) {
            if (spec.output() == OutputUse.REQUIRED) {
                errors.add(files, where, prefix + "output", "an output is required by " + spec.name()
                        + " (output: {target: <category:name>, parameters: {...}})");
            }
            return null;
        }
        if (spec.output() == OutputUse.NONE && own.hasOutput) {
            errors.warn(files, where, prefix + "output", "ignored: " + spec.name() + " stores no artifact");
        }
        String target = d.outputTarget;
        if (target == null) {
            errors.add(files, where, prefix + "output.target", "is required: the output target, such as aws:s3");
            return null;
        }
        if (!Catalog.ACTIONNER_NAME.matcher(target).matches()) {
            errors.add(files, where, prefix + "output.target", "'" + target + "' is not an output target name"
                    + " (expected category:name, e.g. aws:s3)");
            return null;
        }
        OutputSpec out = catalog.output(target).orElse(null);
        if (out == null) {
            errors.add(files, where, prefix + "output.target", "unknown output target '" + target + "' (known: "
                    + (catalog.outputNames().isEmpty() ? "none" : String.join(", ", catalog.outputNames())) + ")");
            return null;
        }
        if (d.outputParameters == null || d.outputParameters.isEmpty()) {
            errors.add(files, where, prefix + "output.parameters", "missing parameters for the output " + target);
            return null;
        }
        Map<String, Object> params = known(out.unknownParameters(d.outputParameters), d.outputParameters,
                keys(own.outputParameters), files, where, prefix + "output.parameters.", "output " + target,
                out.params().keySet());
        List<Problem> problems = out.validate(params);
        for (Problem p : problems) {
            errors.add(files, where, prefix + p.field(), p.message());
        }
        return problems.isEmpty() ? new ActionOutput(target, Immutables.deepCopy(params)) : null;
    }

    /** {@code additional_contexts}: known names; ignored (a warning) by an actionner that uses none. */
    private List<String> contexts(ActionDraft d, ActionDraft own, ActionnerSpec spec, String files, String where,
                                  String prefix) {
        List<String> contexts = d.additionalContexts;
        for (int i = 0; i < contexts.size(); i++) {
            String c = contexts.get(i);
            if (!ActionnerSpec.CONTEXTS.contains(c)) {
                errors.add(files, where, prefix + "additional_contexts[" + i + "]", "unknown context '" + c + "'"
                        + Suggestions.closest(c, ActionnerSpec.CONTEXTS).map(s -> " (did you mean " + s + "?)")
                        .orElse(" (known: " + String.join(", ", ActionnerSpec.CONTEXTS) + ")"));
            }
        }
        if (!contexts.isEmpty() && !spec.usesContext()) {
            if (!own.additionalContexts.isEmpty()) {
                errors.warn(files, where, prefix + "additional_contexts", "ignored: " + spec.name()
                        + " uses no additional context");
            }
            return List.of();
        }
        return List.copyOf(contexts);
    }

    private static Set<String> keys(Map<String, Object> m) {
        return m == null ? Set.of() : m.keySet();
    }

    private static List<String> union(List<String> a, List<String> b) {
        Set<String> s = new LinkedHashSet<>(a);
        s.addAll(b);
        return new ArrayList<>(s);
    }
}
