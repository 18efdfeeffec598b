package org.falcosecurity.talon.ops;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.falcosecurity.talon.rules.RuleEngine;

import java.util.Map;

/**
 * Readiness: Talon is ready once its rules are loaded. A reload that fails keeps the previous rules, so the pod stays
 * ready (and says so in the logs and in {@code falco_talon_rules_reloads_total{result="failure"}}).
 */
public final class RulesHealthCheck extends AbstractHealthCheck {

    private final RuleEngine engine;

    public RulesHealthCheck(RuleEngine engine) {
        super("falco-talon", "rules");
        this.engine = engine;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("rules", engine.rules().size());
        builder.detail("loads", engine.generation());
        if (engine.generation() > 0) {
            builder.up();
        } else {
            builder.message("the rules are not loaded yet").down();
        }
    }
}
