package org.falcosecurity.talon.rules;

import org.falcosecurity.talon.builtins.Builtins;
import org.falcosecurity.talon.catalog.ActionnerSpec;
import org.falcosecurity.talon.catalog.Catalog;
import org.falcosecurity.talon.catalog.OutputSpec;
import org.falcosecurity.talon.rules.load.LoadResult;
import org.falcosecurity.talon.rules.load.RuleSource;
import org.falcosecurity.talon.rules.load.RulesLoader;

import java.util.ArrayList;
import java.util.List;

/**
 * Loads rule YAML against a catalog holding every built-in actionner and output target, custom:log and a few
 * notifiers.
 */
final class RulesFixture {

    static final Catalog CATALOG;

    static {
        List<String> uris = new ArrayList<>();
        for (String a : Builtins.declarations().actionners().stream().map(ActionnerSpec::name).toList()) {
            uris.add(Catalog.actionnerEndpoint(a));
        }
        for (String o : Builtins.declarations().outputs().stream().map(OutputSpec::name).toList()) {
            uris.add(Catalog.outputEndpoint(o));
        }
        uris.add("direct:actionner-custom-log");
        uris.add("direct://notifier-slack");
        uris.add("direct:notifier-file?x=1");
        uris.add("direct:notifier-k8sevents");
        uris.add("direct:somethingelse");
        CATALOG = Catalog.of(uris, Builtins.declarations());
    }

    private RulesFixture() {
    }

    static LoadResult load(String... files) {
        List<RuleSource> sources = new ArrayList<>();
        for (int i = 0; i < files.length; i++) {
            sources.add(new RuleSource("rules-" + i + ".yaml", files[i], null));
        }
        return new RulesLoader(CATALOG).load(sources);
    }

    static RuleSet valid(String... files) {
        LoadResult r = load(files);
        if (!r.ok()) {
            throw new AssertionError("expected valid rules, got " + r.errors());
        }
        return r.rules();
    }

    static Event event(String rule, Priority p, List<String> tags, java.util.Map<String, String> fields) {
        return new Event("", rule, p, "out", "out", "", "syscall", "h", tags, fields);
    }
}
