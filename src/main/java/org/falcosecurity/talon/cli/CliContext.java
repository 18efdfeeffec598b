package org.falcosecurity.talon.cli;

import org.falcosecurity.talon.builtins.Builtins;
import org.falcosecurity.talon.catalog.Catalog;
import org.falcosecurity.talon.config.ConfigException;
import org.falcosecurity.talon.config.ConfigLocator;
import org.falcosecurity.talon.config.RouteFiles;
import org.falcosecurity.talon.config.RuleFiles;
import org.falcosecurity.talon.config.Secrets;
import org.falcosecurity.talon.config.TalonConfig;
import org.falcosecurity.talon.rules.Action;
import org.falcosecurity.talon.rules.load.LoadResult;
import org.falcosecurity.talon.rules.load.RuleError;
import org.falcosecurity.talon.rules.load.RulesLoader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What the offline commands share: the config, the rule files and the catalog, read without starting Camel. */
final class CliContext {

    final TalonConfig config;
    final RuleFiles ruleFiles;
    final Catalog catalog;

    private CliContext(TalonConfig config, RuleFiles ruleFiles, Catalog catalog) {
        this.config = config;
        this.ruleFiles = ruleFiles;
        this.catalog = catalog;
    }

    static CliContext of(TalonCommand parent) throws ConfigException, IOException {
        TalonConfig config = TalonConfig.resolve(parent.config, ConfigLocator.DEFAULT_CONFIG, System.getenv());
        RuleFiles rules = RuleFiles.resolve(parent.rules, config, RuleFiles.DEFAULT_RULES);
        RouteFiles routes = RouteFiles.resolve(Path.of(config.routesDirectory()));
        return new CliContext(config, rules, Catalog.of(routes.fromUris(), Builtins.declarations()));
    }

    /** An action's parameters as the CLI prints them: declared secrets (and anything named like one) masked. */
    static Map<String, Object> masked(Action a, Catalog catalog) {
        return Secrets.mask(a.parameters(), k -> catalog.actionner(a.actionner()).map(s -> s.isSecret(k))
                .orElse(false));
    }

    /** A context and its valid rules. */
    record Loaded(CliContext context, LoadResult result) {
    }

    /**
     * Reads the config and loads the rules; on any problem prints every error to stderr (with a count) and returns
     * {@code null}, for the command to exit non-zero.
     */
    static Loaded loadOrReport(TalonCommand parent) throws IOException {
        return loadOrReport(parent, false);
    }

    /**
     * The same; the warnings (what upstream Falco Talon silently ignores) are printed to stderr, and with
     * {@code strict} they are errors.
     */
    static Loaded loadOrReport(TalonCommand parent, boolean strict) throws IOException {
        CliContext ctx;
        try {
            ctx = of(parent);
        } catch (ConfigException e) {
            e.problems().forEach(p -> System.err.println("error: " + p));
            return null;
        }
        LoadResult r = ctx.load();
        if (strict) {
            r = r.strict();
        }
        r.warnings().forEach(w -> System.err.println("warning: " + w));
        if (!r.ok()) {
            r.errors().forEach(e -> System.err.println("error: " + e));
            System.err.println(r.errors().size() + " error(s) in " + ctx.ruleFiles.describe());
            return null;
        }
        return new Loaded(ctx, r);
    }

    /** Loads the rules, adding the config's unknown default notifiers to the errors. */
    LoadResult load() throws IOException {
        LoadResult r = new RulesLoader(catalog).load(ruleFiles.read());
        List<RuleError> errors = new ArrayList<>(r.errors());
        for (String key : List.of("default_notifiers", "audit.notifiers")) {
            for (String n : key.equals("audit.notifiers") ? config.audit().notifiers() : config.defaultNotifiers()) {
                if (!catalog.hasNotifier(n)) {
                    errors.add(new RuleError(config.source(), null, key, "unknown notifier '" + n
                            + "' (known: " + String.join(", ", catalog.notifierNames()) + ")"));
                }
            }
        }
        return errors.isEmpty() ? r : new LoadResult(null, errors, r.warnings());
    }
}
