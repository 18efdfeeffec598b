package org.falcosecurity.talon.camel;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import org.falcosecurity.talon.config.TalonConfig;

import java.nio.file.Path;

/**
 * The beans the routes use, built from the {@link TalonRuntime} the launcher binds as {@code talonRuntime}.
 * Routes reach them as {@code bean: {ref: eventIntake, method: accept}}.
 */
public class TalonConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        Registry registry = context.getRegistry();
        TalonRuntime runtime = registry.lookupByNameAndType("talonRuntime", TalonRuntime.class);
        if (runtime == null) {
            throw new IllegalStateException("talonRuntime is not bound; start Talon with TalonServer");
        }
        int maxBody = runtime.config().integer("max_body_bytes");
        registry.bind("talonCounters", runtime.counters());
        runtime.addResultListener(new TalonMetrics(runtime.counters(), runtime.engine()));
        // readiness checks (camel-health finds HealthCheck beans); /readyz and /observe/health report them
        registry.bind("rulesHealthCheck", new RulesHealthCheck(runtime.engine()));
        registry.bind("kubernetesHealthCheck", new KubernetesHealthCheck(runtime::kubernetes));
        registry.bind("readiness", new Readiness());
        // the one Kubernetes client, shared by camel-kubernetes endpoints (kubernetesClient=#kubernetesClient) and
        // Talon's processors
        registry.bind("kubernetesClient", runtime.kubernetes().client());
        TalonConfig cfg = runtime.config();
        registry.bind("eventIntake", new EventIntake(runtime.engine(), cfg.integer("workers"),
                cfg.printAllEvents(), maxBody, cfg.authToken(), runtime.counters()));
        registry.bind("eventDeduplicator", new EventDeduplicator(cfg.integer("deduplication.time_window_seconds"),
                cfg.string("deduplication.key"), cfg.integer("deduplication.max_entries"), runtime.counters(),
                System::nanoTime));
        BlastRadiusGuard guard = new BlastRadiusGuard(cfg.integer("blast_radius.window_seconds"),
                cfg.integer("blast_radius.max_actions"), cfg.integer("blast_radius.max_actions_per_rule"),
                cfg.integer("blast_radius.max_actions_per_workload"), cfg.list("blast_radius.actionners"),
                System::nanoTime);
        registry.bind("actionRouter", new ActionRouter(cfg.defaultNotifiers(), runtime::catalog,
                runtime::fireResult, guard));
        registry.bind("podGate", new PodGate());
        registry.bind("intakeRejections", new IntakeRejections(runtime.counters()));
        registry.bind("dispatchErrors", new DispatchErrors(runtime.counters()));
        String deadLetter = context.getPropertiesComponent().resolveProperty("talon.notifier.dead-letter-file")
                .orElse("");
        registry.bind("notificationLosses", new NotificationLosses(runtime.counters(),
                deadLetter.isBlank() ? null : Path.of(deadLetter)));
    }
}
