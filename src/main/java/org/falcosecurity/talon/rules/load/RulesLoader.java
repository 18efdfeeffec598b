package org.falcosecurity.talon.rules.load;

import org.falcosecurity.talon.catalog.Catalog;
import org.falcosecurity.talon.rules.Rule;
import org.falcosecurity.talon.rules.RuleSet;
import org.falcosecurity.talon.rules.load.RuleDrafts.ActionDraft;
import org.falcosecurity.talon.rules.load.RuleDrafts.RuleDraft;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads rule files: read ({@link RuleFileReader}), merge (a block with the same name as an earlier one updates it,
 * {@link RuleDrafts}), compile and validate ({@link RuleCompiler}). Every problem is reported, each naming the file,
 * the block and the field; rules are returned only when there is none.
 */
public final class RulesLoader {

    private final Catalog catalog;

    public RulesLoader(Catalog catalog) {
        this.catalog = catalog;
    }

    public LoadResult load(List<RuleSource> sources) {
        RuleErrors errors = new RuleErrors();
        Map<String, ActionDraft> actions = new LinkedHashMap<>();
        Map<String, RuleDraft> rules = new LinkedHashMap<>();
        List<String> files = new ArrayList<>();
        for (RuleSource src : sources) {
            files.add(src.name());
            RuleFileReader.read(src, errors, actions, rules);
        }
        RuleCompiler compiler = new RuleCompiler(catalog, errors);
        Set<String> invalidBlocks = compiler.invalidBlocks(actions);
        List<Rule> compiled = new ArrayList<>();
        for (RuleDraft r : rules.values()) {
            Rule rule = compiler.compile(r, actions, invalidBlocks);
            if (rule != null) {
                compiled.add(rule);
            }
        }
        if (errors.size() > 0) {
            return new LoadResult(null, errors.list(), errors.warnings());
        }
        return new LoadResult(new RuleSet(compiled, files), List.of(), errors.warnings());
    }
}
