package org.falcosecurity.talon.camel;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import org.falcosecurity.talon.config.TalonConfig;
import org.falcosecurity.talon.kubernetes.ClusterAccess;
import org.falcosecurity.talon.kubernetes.EgressIsolation;
import org.falcosecurity.talon.kubernetes.KubernetesErrors;
import org.falcosecurity.talon.kubernetes.KubernetesTarget;
import org.falcosecurity.talon.kubernetes.MetadataPatcher;
import org.falcosecurity.talon.kubernetes.NodeActions;
import org.falcosecurity.talon.kubernetes.ObjectDeletion;
import org.falcosecurity.talon.kubernetes.PodCommands;
import org.falcosecurity.talon.kubernetes.PodLogs;
import org.falcosecurity.talon.kubernetes.PodTermination;
import org.falcosecurity.talon.notifiers.KubernetesEventNotifier;
import org.falcosecurity.talon.notifiers.LokiNotifier;
import org.falcosecurity.talon.notifiers.MailNotifier;
import org.falcosecurity.talon.notifiers.NotifierComponents;
import org.falcosecurity.talon.notifiers.SearchNotifier;
import org.falcosecurity.talon.notifiers.SlackNotifier;
import org.falcosecurity.talon.notifiers.WebhookNotifier;

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
        bindKubernetesActionners(context, registry, runtime);
        TalonConfig cfg = runtime.config();
        EventIntake intake = new EventIntake(runtime.engine(), cfg.integer("workers"), cfg.printAllEvents(), maxBody,
                cfg.authToken(), runtime.counters());
        registry.bind("eventIntake", intake);
        // Kafka mode (routes/kafka.camel.yaml; its routes exist only when kafka.enabled)
        registry.bind("kafkaIntake", new KafkaIntake(runtime.counters()));
        registry.bind("kafkaRecords", new KafkaRecords(runtime.engine(), intake, maxBody,
                cfg.integer("kafka.notification_timeout_ms"), runtime.counters()));
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
        NotificationLosses losses = new NotificationLosses(runtime.counters(),
                deadLetter.isBlank() ? null : Path.of(deadLetter));
        registry.bind("notificationLosses", losses);
        registry.bind("notifierFanOut", new NotifierFanOut(losses));
        bindNotifiers(context, runtime);
    }

    /** The built-in notifiers' beans (routes/notifier-*.camel.yaml) and their components' connections. */
    private static void bindNotifiers(CamelContext context, TalonRuntime runtime) {
        Registry registry = context.getRegistry();
        var config = runtime.config();
        registry.bind("slackNotifier", new SlackNotifier(config));
        registry.bind("lokiNotifier", new LokiNotifier(config));
        registry.bind("webhookNotifier", new WebhookNotifier(config));
        registry.bind("elasticsearchNotifier", new SearchNotifier(config, "elasticsearch"));
        registry.bind("opensearchNotifier", new SearchNotifier(config, "opensearch"));
        registry.bind("smtpNotifier", new MailNotifier(config));
        registry.bind("k8seventsNotifier", new KubernetesEventNotifier(() -> runtime.kubernetes().client(),
                System.getenv("HOSTNAME")));
        var props = context.getPropertiesComponent();
        int connectMs = Integer.parseInt(props.resolveProperty("talon.notifier.connect-timeout-ms").orElse("5000"));
        int readMs = Integer.parseInt(props.resolveProperty("talon.notifier.read-timeout-ms").orElse("10000"));
        NotifierComponents.configure(context, config, connectMs, readMs);
    }

    /** The beans of routes/actionners-kubernetes.camel.yaml, all on the shared client. */
    private static void bindKubernetesActionners(CamelContext context, Registry registry, TalonRuntime runtime) {
        ClusterAccess cluster = new ClusterAccess(runtime::kubernetes);
        int maxOutput = intProperty(context, "talon.kubernetes.max-output-bytes", 65536);
        Duration execTimeout = Duration.ofSeconds(intProperty(context, "talon.kubernetes.exec-timeout-seconds", 60));
        Duration poll = Duration.ofMillis(intProperty(context, "talon.kubernetes.drain-poll-ms", 1000));
        registry.bind("kubernetesErrors", new KubernetesErrors());
        registry.bind("kubernetesTarget", new KubernetesTarget(cluster));
        registry.bind("kubernetesTerminate", new PodTermination(cluster));
        registry.bind("kubernetesMetadata", new MetadataPatcher(cluster));
        registry.bind("kubernetesNetworkPolicy", new EgressIsolation(cluster));
        registry.bind("kubernetesCommands", new PodCommands(cluster, maxOutput, execTimeout));
        registry.bind("kubernetesLogs", new PodLogs(cluster, maxOutput));
        registry.bind("kubernetesDelete", new ObjectDeletion(cluster));
        registry.bind("kubernetesNodes", new NodeActions(cluster, poll));
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
