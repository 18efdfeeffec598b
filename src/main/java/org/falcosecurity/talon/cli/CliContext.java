package org.falcosecurity.talon.cli;

import org.falcosecurity.talon.config.ConfigException;
import org.falcosecurity.talon.config.RouteFiles;
import org.falcosecurity.talon.config.RuleFiles;
import org.falcosecurity.talon.config.TalonConfig;
import org.falcosecurity.talon.rules.Catalog;
import org.falcosecurity.talon.rules.LoadResult;
import org.falcosecurity.talon.rules.RuleError;
import org.falcosecurity.talon.rules.RulesLoader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
        TalonConfig config = TalonConfig.resolve(parent.config, TalonConfig.DEFAULT_CONFIG, System.getenv());
        RuleFiles rules = RuleFiles.resolve(parent.rules, config, RuleFiles.DEFAULT_RULES);
        RouteFiles routes = RouteFiles.resolve(Path.of(config.string("routes_directory")));
        return new CliContext(config, rules, Catalog.fromEndpoints(routes.fromUris()));
    }

    /** A context and its valid rules. */
    record Loaded(CliContext context, LoadResult result) {
    }

    /**
     * Reads the config and loads the rules; on any problem prints every error to stderr (with a count) and returns
     * {@code null}, for the command to exit non-zero.
     */
    static Loaded loadOrReport(TalonCommand parent) throws IOException {
        CliContext ctx;
        try {
            ctx = of(parent);
        } catch (ConfigException e) {
            e.problems().forEach(p -> System.err.println("error: " + p));
            return null;
        }
        LoadResult r = ctx.load();
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
        for (String n : config.defaultNotifiers()) {
            if (!catalog.hasNotifier(n)) {
                errors.add(new RuleError(config.source(), null, "default_notifiers", "unknown notifier '" + n
                        + "' (known: " + String.join(", ", catalog.notifierNames()) + ")"));
            }
        }
        return errors.isEmpty() ? r : new LoadResult(null, errors);
    }
}
