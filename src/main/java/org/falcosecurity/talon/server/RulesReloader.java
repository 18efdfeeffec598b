package org.falcosecurity.talon.server;

import org.falcosecurity.talon.notifiers.NotifierValidator;
import org.falcosecurity.talon.ops.UpstreamMetrics;
import org.falcosecurity.talon.rules.load.LoadResult;
import org.falcosecurity.talon.rules.load.RuleError;
import org.falcosecurity.talon.rules.load.RulesLoader;
import org.falcosecurity.talon.rules.load.RulesWatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;

/**
 * Loads the rule files into the engine, at start and whenever they change. A load that fails validation (including a
 * rule naming a notifier whose settings are missing) leaves the running rules in place and logs every error.
 */
public final class RulesReloader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("falco-talon.rules");

    private final TalonRuntime runtime;
    private RulesWatcher watcher;

    public RulesReloader(TalonRuntime runtime) {
        this.runtime = runtime;
    }

    /** Loads the files; on success replaces the running rules. */
    public synchronized LoadResult load() {
        LoadResult result;
        try {
            result = new RulesLoader(runtime.catalog()).load(runtime.ruleFiles().read());
        } catch (IOException e) {
            result = new LoadResult(null, List.of(new RuleError(runtime.ruleFiles().describe(), null, null,
                    "cannot read: " + e.getMessage())));
        }
        // what upstream Falco Talon ignores silently (an unknown key or parameter): accepted, said once per load
        result.warnings().forEach(w -> LOG.warn("rule files: {}", w));
        if (result.ok()) {
            // a rule may name a notifier whose settings are missing: refuse it now rather than lose its results
            List<RuleError> notifierErrors = NotifierValidator.problems(runtime.config(),
                            result.rules().notifiersUsed(), runtime.kubernetes().configured()).stream()
                    .map(p -> new RuleError(runtime.ruleFiles().describe(), null, "notifiers",
                            "a rule uses this notifier, but " + p)).toList();
            if (!notifierErrors.isEmpty()) {
                return new LoadResult(null, notifierErrors, result.warnings());
            }
            runtime.engine().replace(result.rules());
            UpstreamMetrics.outputsOf(runtime.counters().registry(), result.rules());
        }
        return result;
    }

    /** Reloads after a change; keeps the running rules when the new ones are invalid. */
    public synchronized void reload(String why) {
        LoadResult r = load();
        if (r.ok()) {
            LOG.info("rules reloaded ({}): {} rules from {}", why, r.rules().size(), runtime.ruleFiles().describe());
            if (r.rules().size() == 0) {
                LOG.warn("the rule files define no rule: no event will be acted on");
            }
            runtime.counters().increment("rules_reloads", "result", "success");
        } else {
            LOG.error("rules NOT reloaded ({}): {} error(s); keeping the {} rules in use", why, r.errors().size(),
                    runtime.engine().rules().size());
            r.errors().forEach(e -> LOG.error("  {}", e));
            runtime.counters().increment("rules_reloads", "result", "failure");
        }
    }

    public synchronized void watch(long pollMillis) throws IOException {
        if (runtime.ruleFiles().paths().isEmpty()) {
            return;
        }
        watcher = new RulesWatcher(runtime.ruleFiles().paths(), this::reload, pollMillis, 300);
        watcher.start();
        LOG.info("watching {} for changes", runtime.ruleFiles().describe());
    }

    @Override
    public synchronized void close() {
        if (watcher != null) {
            watcher.close();
            watcher = null;
        }
    }
}
