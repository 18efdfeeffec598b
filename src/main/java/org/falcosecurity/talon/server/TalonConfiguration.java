package org.falcosecurity.talon.server;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import org.falcosecurity.talon.actionners.kubernetes.EgressIsolation;
import org.falcosecurity.talon.actionners.kubernetes.MetadataPatcher;
import org.falcosecurity.talon.actionners.kubernetes.NodeActions;
import org.falcosecurity.talon.actionners.kubernetes.ObjectDeletion;
import org.falcosecurity.talon.actionners.kubernetes.PodCommands;
import org.falcosecurity.talon.actionners.kubernetes.PodLogs;
import org.falcosecurity.talon.actionners.kubernetes.PodTermination;
import org.falcosecurity.talon.actionners.kubernetes.Reverts;
import org.falcosecurity.talon.config.TalonConfig;
import org.falcosecurity.talon.delivery.NotificationLosses;
import org.falcosecurity.talon.delivery.NotifierFanOut;
import org.falcosecurity.talon.dispatch.ActionRouter;
import org.falcosecurity.talon.dispatch.BlastRadiusGuard;
import org.falcosecurity.talon.dispatch.DispatchErrors;
import org.falcosecurity.talon.dispatch.EventDeduplicator;
import org.falcosecurity.talon.dispatch.PodGate;
import org.falcosecurity.talon.intake.EventIntake;
import org.falcosecurity.talon.intake.IntakeRejections;
import org.falcosecurity.talon.intake.UndoRequests;
import org.falcosecurity.talon.kafka.KafkaIntake;
import org.falcosecurity.talon.kafka.KafkaRecords;
import org.falcosecurity.talon.kubernetes.ClusterAccess;
import org.falcosecurity.talon.kubernetes.EventProvenance;
import org.falcosecurity.talon.kubernetes.ProtectedObjects;
import org.falcosecurity.talon.kubernetes.KubernetesErrors;
import org.falcosecurity.talon.kubernetes.KubernetesTarget;
import org.falcosecurity.talon.notifiers.BuiltinNotifier;
import org.falcosecurity.talon.notifiers.BuiltinNotifiers;
import org.falcosecurity.talon.notifiers.NotifierSettings;
import org.falcosecurity.talon.notifiers.NotifierValidator;
import org.falcosecurity.talon.ops.KubernetesHealthCheck;
import org.falcosecurity.talon.ops.Readiness;
import org.falcosecurity.talon.ops.RulesHealthCheck;
import org.falcosecurity.talon.ops.TalonMetrics;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

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
        int maxBody = runtime.config().maxBodyBytes();
        registry.bind("talonCounters", runtime.counters());
        runtime.addResultListener(new TalonMetrics(runtime.counters(), runtime.engine()));
        // readiness checks (camel-health finds HealthCheck beans); /readyz and /observe/health report them
        registry.bind("rulesHealthCheck", new RulesHealthCheck(runtime.engine()));
        registry.bind("kubernetesHealthCheck", new KubernetesHealthCheck(runtime::kubernetes));
        registry.bind("readiness", new Readiness());
        // the one Kubernetes client, shared by camel-kubernetes endpoints (kubernetesClient=#kubernetesClient) and
        // Talon's processors
        registry.bind("kubernetesClient", runtime.kubernetes().client());
        bindKubernetesActionners(context, registry, runtime);
        TalonConfig cfg = runtime.config();
        EventIntake intake = new EventIntake(runtime.engine(), cfg.workers(), cfg.printAllEvents(), maxBody,
                cfg.authToken(), runtime.counters());
        intake.auditTrail(runtime.audit());
        registry.bind("eventIntake", intake);
        registry.bind("auditTrail", runtime.audit());
        registry.bind("undoRequests", new UndoRequests(intake, registry.lookupByNameAndType("kubernetesReverts",
                Reverts.class), new ClusterAccess(runtime::kubernetes)));
        // Kafka mode (routes/kafka.camel.yaml; its routes exist only when kafka.enabled)
        registry.bind("kafkaIntake", new KafkaIntake(runtime.counters()));
        registry.bind("kafkaRecords", new KafkaRecords(runtime.engine(), intake, maxBody,
                cfg.kafka().notificationTimeoutMs(), runtime.counters()));
        registry.bind("eventDeduplicator", new EventDeduplicator(cfg.deduplication().timeWindowSeconds(),
                cfg.deduplication().key(), cfg.deduplication().maxEntries(), runtime.counters(),
                System::nanoTime));
        BlastRadiusGuard guard = new BlastRadiusGuard(cfg.blastRadius().windowSeconds(),
                cfg.blastRadius().maxActions(), cfg.blastRadius().maxActionsPerRule(),
                cfg.blastRadius().maxActionsPerWorkload(), cfg.blastRadius().actionners(),
                System::nanoTime, runtime.counters());
        ActionRouter router = new ActionRouter(cfg.defaultNotifiers(), runtime::catalog, runtime::fireResult, guard);
        router.auditTrail(runtime.audit());
        registry.bind("actionRouter", router);
        registry.bind("podGate", new PodGate(PodGate.MAX_GATES, runtime.counters()));
        registry.bind("intakeRejections", new IntakeRejections(runtime.counters()));
        registry.bind("dispatchErrors", new DispatchErrors(runtime.counters()));
        String deadLetter = context.getPropertiesComponent().resolveProperty("talon.notifier.dead-letter-file")
                .orElse("");
        NotificationLosses losses = new NotificationLosses(runtime.counters(),
                deadLetter.isBlank() ? null : Path.of(deadLetter),
                intProperty(context, "talon.notifier.dead-letter-max-bytes", 10 * 1024 * 1024),
                intProperty(context, "talon.notifier.dead-letter-max-files", 3));
        registry.bind("notificationLosses", losses);
        registry.bind("notifierFanOut", new NotifierFanOut(losses));
        bindNotifiers(context, runtime);
    }

    /**
     * Each built-in notifier's bean ({@code <name>Notifier}, for routes/notifier-<name>.camel.yaml) and, when its
     * settings are valid, its component's connection.
     */
    private static void bindNotifiers(CamelContext context, TalonRuntime runtime) {
        Registry registry = context.getRegistry();
        TalonConfig config = runtime.config();
        int connectMs = intProperty(context, "talon.notifier.connect-timeout-ms", 5000);
        int readMs = intProperty(context, "talon.notifier.read-timeout-ms", 10000);
        for (BuiltinNotifier n : BuiltinNotifiers.ALL) {
            BuiltinNotifier.Context c = new BuiltinNotifier.Context(NotifierSettings.of(config, n.spec()),
                    () -> runtime.kubernetes().client(), System.getenv("HOSTNAME"), connectMs, readMs);
            registry.bind(n.beanName(), n.bean().create(c));
            if (NotifierValidator.usable(config, n.spec())) {
                n.components().configure(context, c);
            }
        }
    }

    /** The beans of routes/actionners-kubernetes.camel.yaml, all on the shared client. */
    private static void bindKubernetesActionners(CamelContext context, Registry registry, TalonRuntime runtime) {
        ClusterAccess cluster = new ClusterAccess(runtime::kubernetes);
        TalonConfig cfg = runtime.config();
        ProtectedObjects protectedObjects = new ProtectedObjects(runtime.identity(), cfg.protection(),
                actionner -> runtime.counters().increment("protected_refusals", "actionner", actionner));
        EventProvenance provenance = new EventProvenance(cfg.provenance(),
                mode -> runtime.counters().increment("provenance_mismatches", "mode", mode));
        int maxOutput = intProperty(context, "talon.kubernetes.max-output-bytes", 65536);
        Duration execTimeout = Duration.ofSeconds(intProperty(context, "talon.kubernetes.exec-timeout-seconds", 60));
        Duration poll = Duration.ofMillis(intProperty(context, "talon.kubernetes.drain-poll-ms", 1000));
        Reverts reverts = new Reverts(cluster, Duration.ofSeconds(runtime.config().reverts().intervalSeconds()));
        reverts.sink(new RevertResults(runtime, context));
        registry.bind("kubernetesReverts", reverts);
        registry.bind("kubernetesErrors", new KubernetesErrors());
        registry.bind("kubernetesTarget", new KubernetesTarget(cluster, protectedObjects, provenance));
        registry.bind("kubernetesTerminate", new PodTermination(cluster));
        registry.bind("kubernetesMetadata", new MetadataPatcher(cluster, protectedObjects, reverts));
        registry.bind("kubernetesNetworkPolicy", new EgressIsolation(cluster, reverts));
        registry.bind("kubernetesCommands", new PodCommands(cluster, maxOutput, execTimeout));
        registry.bind("kubernetesLogs", new PodLogs(cluster, maxOutput));
        registry.bind("kubernetesDelete", new ObjectDeletion(cluster, protectedObjects));
        registry.bind("kubernetesNodes", new NodeActions(cluster, poll, protectedObjects, reverts));
    }

    private static int intProperty(CamelContext context, String key, int defaultValue) {
        String v = context.getPropertiesComponent().resolveProperty(key).orElse("").trim();
        if (v.isEmpty()) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(v);
            if (n <= 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new TalonStartupException("invalid Camel property", List.of(key + ": must be a positive integer,"
                    + " got '" + v + "'"));
        }
    }
}
