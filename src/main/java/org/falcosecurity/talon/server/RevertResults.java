package org.falcosecurity.talon.server;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.falcosecurity.talon.actionners.kubernetes.Reverts;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.delivery.NotifierQueues;
import org.falcosecurity.talon.rules.Rule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Where a revert's result goes: the notifiers of the rule whose action it undoes (its own and the default ones; the
 * default ones only when the rule is gone since), the audit trail, and {@code falco_talon_actions_total{status}}.
 */
final class RevertResults implements Reverts.Sink {

    private static final Logger LOG = LoggerFactory.getLogger("falco-talon.results");

    private final TalonRuntime runtime;
    private final ProducerTemplate template;

    RevertResults(TalonRuntime runtime, CamelContext context) {
        this.runtime = runtime;
        this.template = context.createProducerTemplate();
    }

    @Override
    public void reverted(ActionResult r) {
        LOG.info("action reverted: rule='{}' action='{}' actionner={} objects={} {}", r.getRule(), r.getAction(),
                r.getActionner(), r.getObjects(), r.getMessage());
        runtime.counters().increment("actions", "actionner", r.getActionner(), "status", r.getStatus());
        runtime.audit().onResult(r, null, 0);
        Set<String> notifiers = new LinkedHashSet<>(runtime.config().defaultNotifiers());
        for (Rule rule : runtime.engine().rules().rules()) {
            if (rule.name().equals(r.getRule())) {
                notifiers.addAll(rule.notifiers());
            }
        }
        for (String n : notifiers) {
            if (runtime.catalog().hasNotifier(n)) {
                Throwable failure = NotifierQueues.offer(template, NotifierQueues.queueEndpoint(n), r);
                if (failure != null) {
                    runtime.counters().increment("notifications", "notifier", n, "status", "dropped");
                }
            }
        }
    }

    @Override
    public void failed(ActionResult r) {
        LOG.warn("revert failed, retried later: rule='{}' action='{}' objects={} error={}", r.getRule(),
                r.getAction(), r.getObjects(), r.getError());
        runtime.audit().revertFailed(r);
    }
}
