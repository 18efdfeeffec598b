package org.falcosecurity.talon.rules;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable, validated set of rules, indexed by Falco rule name.
 *
 * <p>Matching an event costs the rules that name its Falco rule plus the rules that name no Falco rule at all, never
 * a scan of every rule: the two sorted index lists are merged so results keep the file order.
 */
public final class RuleSet {

    private static final int[] NONE = new int[0];

    private final List<Rule> rules;
    private final Map<String, int[]> byFalcoRule;
    private final int[] anyFalcoRule;
    private final List<String> files;

    public RuleSet(List<Rule> rules, List<String> files) {
        this.rules = List.copyOf(rules);
        this.files = List.copyOf(files);
        Map<String, List<Integer>> index = new HashMap<>();
        List<Integer> any = new ArrayList<>();
        for (int i = 0; i < this.rules.size(); i++) {
            List<String> names = this.rules.get(i).match().rules();
            if (names.isEmpty()) {
                any.add(i);
            } else {
                for (String n : new LinkedHashSet<>(names)) {
                    index.computeIfAbsent(n, k -> new ArrayList<>()).add(i);
                }
            }
        }
        Map<String, int[]> compiled = new HashMap<>();
        index.forEach((k, v) -> compiled.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
        this.byFalcoRule = Map.copyOf(compiled);
        this.anyFalcoRule = any.stream().mapToInt(Integer::intValue).toArray();
    }

    public static RuleSet empty() {
        return new RuleSet(List.of(), List.of());
    }

    public List<Rule> rules() {
        return rules;
    }

    public List<String> files() {
        return files;
    }

    public int size() {
        return rules.size();
    }

    /** The notifiers rules name, beyond the default ones. */
    public Set<String> notifiersUsed() {
        Set<String> s = new LinkedHashSet<>();
        rules.forEach(r -> s.addAll(r.notifiers()));
        return s;
    }

    /**
     * The rules that fire for the event, in file order, stopping after the first fired rule with
     * {@code continue: false}.
     *
     * @param globalDryRun the {@code dry_run} config key: when true every match is a dry run
     */
    public List<RuleMatch> plan(Event event, boolean globalDryRun) {
        int[] named = byFalcoRule.getOrDefault(event.rule(), NONE);
        int[] any = anyFalcoRule;
        List<RuleMatch> out = null;
        int i = 0;
        int j = 0;
        while (i < named.length || j < any.length) {
            int idx;
            if (j >= any.length || (i < named.length && named[i] < any[j])) {
                idx = named[i++];
            } else {
                idx = any[j++];
            }
            Rule r = rules.get(idx);
            if (r.match().test(event)) {
                if (out == null) {
                    out = new ArrayList<>(2);
                }
                out.add(new RuleMatch(r, globalDryRun || r.dryRun(), r.plannedActions()));
                if (!r.continueRules()) {
                    break;
                }
            }
        }
        return out == null ? List.of() : out;
    }

    /**
     * Why every rule did or did not fire for the event (the same decisions as {@link #plan}, with their reasons);
     * for {@code simulate --explain}, not for the intake.
     */
    public Explanation explain(Event event, boolean globalDryRun) {
        List<Explanation.RuleVerdict> out = new ArrayList<>();
        String stoppedBy = null;
        for (Rule r : rules) {
            if (stoppedBy != null) {
                out.add(new Explanation.RuleVerdict(r, Explanation.Outcome.NOT_EVALUATED, List.of(), stoppedBy,
                        false, List.of()));
                continue;
            }
            List<Match.Miss> misses = r.match().explain(event);
            if (!misses.isEmpty()) {
                out.add(new Explanation.RuleVerdict(r, Explanation.Outcome.NOT_MATCHED, misses, null, false,
                        List.of()));
                continue;
            }
            out.add(new Explanation.RuleVerdict(r, Explanation.Outcome.FIRED, List.of(), null,
                    globalDryRun || r.dryRun(), actionVerdicts(r)));
            if (!r.continueRules()) {
                stoppedBy = r.name();
            }
        }
        return new Explanation(out);
    }

    private static List<Explanation.ActionVerdict> actionVerdicts(Rule r) {
        List<Explanation.ActionVerdict> out = new ArrayList<>();
        String stopper = null;
        List<String> mustSucceed = new ArrayList<>();
        for (Action a : r.actions()) {
            if (stopper != null) {
                out.add(new Explanation.ActionVerdict(a, false, null, "action '" + stopper
                        + "' before it has continue: false"));
                continue;
            }
            String condition = mustSucceed.isEmpty() ? null : "only if '" + String.join("', '", mustSucceed)
                    + "' succeed" + (mustSucceed.size() == 1 ? "s" : "") + " (no ignore_errors)";
            out.add(new Explanation.ActionVerdict(a, true, condition, null));
            if (!a.ignoreErrors()) {
                mustSucceed.add(a.name());
            }
            if (!a.continueAfter()) {
                stopper = a.name();
            }
        }
        return out;
    }
}
