package org.falcosecurity.talon.server;

import io.micrometer.core.instrument.Gauge;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import org.falcosecurity.talon.actionners.aws.LambdaInvocation;
import org.falcosecurity.talon.actionners.calico.CalicoPolicy;
import org.falcosecurity.talon.actionners.cilium.CiliumPolicy;
import org.falcosecurity.talon.actionners.gcp.CloudFunction;
import org.falcosecurity.talon.actionners.kubernetes.EgressIsolation;
import org.falcosecurity.talon.actionners.kubernetes.MetadataPatcher;
import org.falcosecurity.talon.actionners.kubernetes.NodeActions;
import org.falcosecurity.talon.actionners.kubernetes.ObjectDeletion;
import org.falcosecurity.talon.actionners.kubernetes.PodCommands;
import org.falcosecurity.talon.actionners.kubernetes.PodLogs;
import org.falcosecurity.talon.actionners.kubernetes.PodTermination;
import org.falcosecurity.talon.actionners.kubernetes.Reverts;
import org.falcosecurity.talon.actionners.kubernetes.capture.CaptureSettings;
import org.falcosecurity.talon.actionners.kubernetes.capture.FileDownload;
import org.falcosecurity.talon.actionners.kubernetes.capture.PacketCapture;
import org.falcosecurity.talon.actionners.kubernetes.capture.SyscallCapture;
import org.falcosecurity.talon.artifacts.ArtifactSpool;
import org.falcosecurity.talon.aws.AwsClients;
import org.falcosecurity.talon.config.TalonConfig;
import org.falcosecurity.talon.contexts.AdditionalContexts;
import org.falcosecurity.talon.contexts.InstanceMetadata;
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
import org.falcosecurity.talon.intake.WorkerQueues;
import org.falcosecurity.talon.ops.TalonCounters;
import org.falcosecurity.talon.kafka.KafkaIntake;
import org.falcosecurity.talon.kafka.KafkaRecords;
import org.falcosecurity.talon.kubernetes.ClusterAccess;
import org.falcosecurity.talon.kubernetes.DenyPolicies;
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
import org.falcosecurity.talon.replicas.ReplicaIdentity;
import org.falcosecurity.talon.replicas.Replicas;
import org.falcosecurity.talon.replicas.ReplicasHealthCheck;
import org.falcosecurity.talon.telemetry.OtlpCounters;
import org.falcosecurity.talon.telemetry.Tracing;
import org.falcosecurity.talon.outputs.OutputTargets;

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
        // Talon's processors; with no cluster configured there is none (and no route creates a kubernetes endpoint)
        if (runtime.kubernetes().configured()) {
            registry.bind("kubernetesClient", runtime.kubernetes().client());
        }
        ArtifactSpool spool = artifactSpool(context, runtime.config());
        registry.bind("talonArtifacts", spool);
        // one set of AWS credentials and endpoint for the aws:s3 output and aws:lambda
        AwsClients aws = new AwsClients(runtime.config().aws(), optionalUri(context, "talon.aws.sts-endpoint"));
        bindKubernetesActionners(context, registry, runtime, spool, aws);
        OutputTargets.bind(context, runtime.config(), runtime.counters().registry(), aws,
                property(context, "talon.gcp.storage-host"));
        TalonConfig cfg = runtime.config();
        ReplicaIdentity me = ReplicaIdentity.of(cfg, System.getenv());
        Tracing tracing = telemetry(context, runtime, me);
        EventIntake intake = new EventIntake(runtime.engine(), cfg.workers(), cfg.printAllEvents(), maxBody,
                cfg.authToken(), runtime.counters(), tracing);
        intake.auditTrail(runtime.audit());
        registry.bind("eventIntake", intake);
        // the intake route's two steps as processors (routes/intake.camel.yaml: `process`, not `bean`: no method
        // lookup and argument binding on every event)
        registry.bind("eventIntakeAnswer", intake.answer());
        // the worker queues and a follower's relay queues share one byte budget (queue_max_bytes)
        WorkerQueues.Budget queueBudget = new WorkerQueues.Budget(cfg.queueMaxBytes());
        Gauge.builder(TalonCounters.PREFIX + "queued_bytes", queueBudget,
                        WorkerQueues.Budget::used)
                .description("Heap counted for the events waiting for or in the workers (bounded by queue_max_bytes)")
                .register(runtime.counters().registry());
        registry.bind("workerQueues", new WorkerQueues(cfg.workers(), queueBudget));
        registry.bind("relayQueues", new WorkerQueues("talon-relay", cfg.workers(), queueBudget));
        registry.bind("auditTrail", runtime.audit());
        registry.bind("undoRequests", new UndoRequests(intake, registry.lookupByNameAndType("kubernetesReverts",
                Reverts.class), new ClusterAccess(runtime::kubernetes)));
        // Kafka mode (routes/kafka.camel.yaml; its routes exist only when kafka.enabled)
        registry.bind("kafkaIntake", new KafkaIntake(runtime.counters(), tracing));
        registry.bind("kafkaRecords", new KafkaRecords(runtime.engine(), intake, maxBody,
                cfg.kafka().notificationTimeoutMs(), runtime.counters(), tracing));
        EventDeduplicator deduplicator = new EventDeduplicator(cfg.deduplication().timeWindowSeconds(),
                cfg.deduplication().key(), cfg.deduplication().maxEntries(), runtime.counters(),
                System::nanoTime);
        registry.bind("eventDeduplicator", deduplicator);
        BlastRadiusGuard guard = new BlastRadiusGuard(cfg.blastRadius().windowSeconds(),
                cfg.blastRadius().maxActions(), cfg.blastRadius().maxActionsPerRule(),
                cfg.blastRadius().maxActionsPerWorkload(), cfg.blastRadius().actionners(),
                System::nanoTime, runtime.counters());
        // several replicas: leader election and forwarding (routes/replicas.camel.yaml), shared blast-radius counters
        Replicas replicas = Replicas.create(cfg, me, runtime.kubernetes(), deduplicator, guard, runtime.counters(),
                tracing);
        runtime.replicas(replicas);
        registry.bind("leaderRelay", replicas.relay());
        registry.bind("replicasHealthCheck", new ReplicasHealthCheck(replicas.leadership()));
        ActionRouter router = new ActionRouter(cfg.defaultNotifiers(), runtime::catalog, runtime::fireResult,
                replicas.blastRadius(), tracing);
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
                intProperty(context, "talon.notifier.dead-letter-max-files", 3), tracing);
        registry.bind("notificationLosses", losses);
        registry.bind("notifierFanOut", new NotifierFanOut(losses));
        bindNotifiers(context, runtime);
    }

    /**
     * Traces and pushed counters (otel.*, docs/tracing.md): the bean {@code talonTracing} the routes call, the output
     * spans' event notifier; both disabled by default.
     */
    private static Tracing telemetry(CamelContext context, TalonRuntime runtime, ReplicaIdentity me) {
        var otel = runtime.config().otel();
        Tracing tracing = Tracing.create(otel, new Tracing.Tuning(
                intProperty(context, "talon.otel.max-queue-size", 2048),
                intProperty(context, "talon.otel.max-export-batch-size", 512),
                intProperty(context, "talon.otel.schedule-delay-ms", 1000),
                intProperty(context, "talon.otel.max-attribute-length", 4096)), me.name(), runtime.counters());
        tracing.instrument(context);
        OtlpCounters metrics = OtlpCounters.create(otel, intProperty(context, "talon.otel.metric-interval-ms", 60000),
                me.name(), runtime.meterRegistry());
        runtime.telemetry(tracing, metrics);
        context.getRegistry().bind("talonTracing", tracing);
        return tracing;
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

    /** Where artifacts wait for their upload ({@code talon.artifact.spool-directory}), bounded by max_artifact_bytes. */
    private static ArtifactSpool artifactSpool(CamelContext context, TalonConfig config) {
        String dir = property(context, "talon.artifact.spool-directory");
        Path path = dir.isBlank() ? Path.of(System.getProperty("java.io.tmpdir"), "falco-talon-spool") : Path.of(dir);
        return new ArtifactSpool(path, config.maxArtifactBytes()).start();
    }

    private static String property(CamelContext context, String key) {
        return context.getPropertiesComponent().resolveProperty(key).orElse("").trim();
    }

    private static java.util.Optional<java.net.URI> optionalUri(CamelContext context, String key) {
        String v = property(context, key);
        return v.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(java.net.URI.create(v));
    }

    /** The beans of routes/actionners-kubernetes.camel.yaml, all on the shared client. */
    private static void bindKubernetesActionners(CamelContext context, Registry registry, TalonRuntime runtime,
                                                 ArtifactSpool spool, AwsClients aws) {
        ClusterAccess cluster = new ClusterAccess(runtime::kubernetes);
        TalonConfig cfg = runtime.config();
        ProtectedObjects protectedObjects = new ProtectedObjects(runtime.identity(), cfg.protection(),
                actionner -> runtime.counters().increment("protected_refusals", "actionner", actionner));
        EventProvenance provenance = new EventProvenance(cfg.provenance(),
                mode -> runtime.counters().increment("provenance_mismatches", "mode", mode));
        int maxOutput = intProperty(context, "talon.kubernetes.max-output-bytes", 65536);
        Duration execTimeout = Duration.ofSeconds(intProperty(context, "talon.kubernetes.exec-timeout-seconds", 60));
        Duration poll = Duration.ofMillis(intProperty(context, "talon.kubernetes.drain-poll-ms", 1000));
        Duration capturePoll = Duration.ofMillis(intProperty(context, "talon.kubernetes.capture-poll-ms", 500));
        Duration captureStart = Duration.ofSeconds(intProperty(context,
                "talon.kubernetes.capture-start-timeout-seconds", 60));
        Reverts reverts = new Reverts(cluster, Duration.ofSeconds(runtime.config().reverts().intervalSeconds()));
        reverts.sink(new RevertResults(runtime, context));
        registry.bind("kubernetesReverts", reverts);
        registry.bind("kubernetesErrors", new KubernetesErrors());
        registry.bind("kubernetesTarget", new KubernetesTarget(cluster, protectedObjects, provenance));
        registry.bind("kubernetesTerminate", new PodTermination(cluster));
        registry.bind("kubernetesMetadata", new MetadataPatcher(cluster, protectedObjects, reverts));
        registry.bind("kubernetesNetworkPolicy", new EgressIsolation(cluster, reverts));
        registry.bind("kubernetesCommands", new PodCommands(cluster, maxOutput, execTimeout));
        registry.bind("kubernetesLogs", new PodLogs(cluster, maxOutput, spool));
        registry.bind("kubernetesDownload", new FileDownload(cluster, spool, execTimeout));
        CaptureSettings capture = new CaptureSettings(cluster, spool, capturePoll, captureStart, execTimeout);
        registry.bind("kubernetesTcpdump", new PacketCapture(capture));
        registry.bind("kubernetesSysdig", new SyscallCapture(capture));
        registry.bind("kubernetesDelete", new ObjectDeletion(cluster, protectedObjects));
        registry.bind("kubernetesNodes", new NodeActions(cluster, poll, protectedObjects, reverts));
        // calico:networkpolicy, cilium:networkpolicy (the same route template, their own custom resources)
        DenyPolicies denyPolicies = new DenyPolicies(cluster, intProperty(context, "talon.kubernetes.max-denied-ips",
                256));
        registry.bind("calicoNetworkPolicy", new CalicoPolicy(denyPolicies));
        registry.bind("ciliumNetworkPolicy", new CiliumPolicy(denyPolicies));
        bindCloudActionners(context, registry, runtime, cluster, aws);
    }

    /**
     * The additional contexts (a step of direct:talon-action) and the beans of routes/actionners-cloud.camel.yaml;
     * every base URL is a property, so a VPC endpoint or a test's loopback server can take its place.
     */
    private static void bindCloudActionners(CamelContext context, Registry registry, TalonRuntime runtime,
                                            ClusterAccess cluster, AwsClients aws) {
        int maxOutput = intProperty(context, "talon.cloud.max-output-bytes", 65536);
        registry.bind("additionalContexts", new AdditionalContexts(cluster, new InstanceMetadata(
                uri(context, "talon.aws.imds-endpoint", "http://169.254.169.254"), Duration.ofSeconds(2))));
        registry.bind("awsLambda", new LambdaInvocation(aws, maxOutput,
                intProperty(context, "talon.aws.lambda-max-attempts", 3),
                Duration.ofSeconds(intProperty(context, "talon.aws.lambda-timeout-seconds", 60))));
        String key = runtime.config().gcp().credentialsPath();
        registry.bind("gcpFunction", new CloudFunction(uri(context, "talon.gcp.functions-url",
                "https://cloudfunctions.googleapis.com"), uri(context, "talon.gcp.metadata-url",
                "http://metadata.google.internal"), key.isBlank() ? null : Path.of(key), maxOutput));
    }

    private static java.net.URI uri(CamelContext context, String key, String defaultValue) {
        String v = context.getPropertiesComponent().resolveProperty(key).orElse("").trim();
        return java.net.URI.create(v.isEmpty() ? defaultValue : v);
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
