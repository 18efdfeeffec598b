package org.falcosecurity.talon.server;

import org.falcosecurity.talon.audit.AuditTrail;
import org.falcosecurity.talon.config.Settings;
import java.nio.file.Path;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.falcosecurity.talon.catalog.Catalog;
import org.falcosecurity.talon.config.RuleFiles;
import org.falcosecurity.talon.config.TalonConfig;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.contract.ResultListener;
import org.falcosecurity.talon.kubernetes.KubernetesClients;
import org.falcosecurity.talon.kubernetes.TalonIdentity;
import org.falcosecurity.talon.ops.TalonCounters;
import org.falcosecurity.talon.replicas.Replicas;
import org.falcosecurity.talon.telemetry.OtlpCounters;
import org.falcosecurity.talon.telemetry.Tracing;
import org.falcosecurity.talon.rules.RuleEngine;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What one running Talon holds beside its CamelContext: the config, the rule files, the running rules, the catalog of
 * actionner and notifier routes (known once the routes are loaded), and the metrics.
 */
public final class TalonRuntime {

    private final TalonConfig config;
    private final RuleFiles ruleFiles;
    private final RuleEngine engine;
    /** The registry {@code /metrics} exposes; bound as {@code metricsRegistry} so camel-micrometer uses it too. */
    private final PrometheusMeterRegistry meterRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final TalonCounters counters = new TalonCounters(meterRegistry);
    private org.falcosecurity.talon.ops.JvmMeters jvmMeters;
    private final AtomicReference<Catalog> catalog = new AtomicReference<>(Catalog.empty());
    private final List<ResultListener> resultListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private KubernetesClients.Connection kubernetes;
    private boolean ownsKubernetesClient;
    private Tracing tracing = Tracing.disabled();
    private OtlpCounters otlpCounters;
    private Replicas replicas;
    private TalonIdentity identity;
    private final AuditTrail audit;

    public TalonRuntime(TalonConfig config, RuleFiles ruleFiles) {
        this.config = config;
        this.ruleFiles = ruleFiles;
        this.engine = new RuleEngine(config.dryRun());
        Settings.Audit a = config.audit();
        this.audit = new AuditTrail(a.file().isEmpty() ? null : Path.of(a.file()), a.maxFileBytes(), a.maxFiles(),
                a.queueSize(), a.notifiers(), "an identical event was processed less than "
                + config.deduplication().timeWindowSeconds() + "s ago (deduplication.key: "
                + config.deduplication().key() + ")", counters);
        resultListeners.add(audit);
    }

    /** The audit trail (docs/audit.md); records nothing when neither audit.file nor audit.notifiers is set. */
    public AuditTrail audit() {
        return audit;
    }

    public TalonConfig config() {
        return config;
    }

    public RuleFiles ruleFiles() {
        return ruleFiles;
    }

    public RuleEngine engine() {
        return engine;
    }

    public PrometheusMeterRegistry meterRegistry() {
        return meterRegistry;
    }

    /** Puts the JVM's meters on the registry (a server; the CLI's offline commands have no /metrics). */
    synchronized void bindJvmMeters() {
        if (jvmMeters == null) {
            jvmMeters = new org.falcosecurity.talon.ops.JvmMeters().bindTo(meterRegistry);
        }
    }

    public TalonCounters counters() {
        return counters;
    }

    public Catalog catalog() {
        return catalog.get();
    }

    void catalog(Catalog c) {
        catalog.set(c);
    }

    /** Uses this client instead of finding a cluster (tests point it at the API simulator). */
    public synchronized void useKubernetesClient(KubernetesClient client) {
        useKubernetesConnection(new KubernetesClients.Connection(client, true, "provided client"));
    }

    /** Uses this connection instead of finding a cluster (tests: a cluster that is not configured). */
    public synchronized void useKubernetesConnection(KubernetesClients.Connection connection) {
        this.kubernetes = connection;
        this.ownsKubernetesClient = false;
    }

    /** The shared Kubernetes client, created on first use from {@code kubeconfig} / in-cluster config. */
    public synchronized KubernetesClients.Connection kubernetes() {
        if (kubernetes == null) {
            try {
                kubernetes = KubernetesClients.connect(config.kubeconfig(), System.getenv());
            } catch (java.io.IOException e) {
                throw new TalonStartupException("invalid Kubernetes configuration", List.of(e.getMessage()));
            }
            ownsKubernetesClient = true;
        }
        return kubernetes;
    }

    /** Uses this identity instead of the pod's own (tests: Talon "runs" in a namespace of the API simulator). */
    public synchronized void useIdentity(TalonIdentity identity) {
        this.identity = identity;
    }

    /** Who Talon is in its cluster (its namespace, pod, service account), from the Downward API variables. */
    public synchronized TalonIdentity identity() {
        if (identity == null) {
            identity = TalonIdentity.of(System.getenv(), TalonIdentity.SERVICE_ACCOUNT_DIR);
        }
        return identity;
    }

    synchronized void closeClients() {
        if (kubernetes != null && ownsKubernetesClient) {
            kubernetes.close();
        }
        if (jvmMeters != null) {
            jvmMeters.close();
        }
    }

    /** This Talon's traces (disabled unless otel.traces_enabled). */
    public synchronized Tracing tracing() {
        return tracing;
    }

    /** How this replica works with the others (leader election, shared blast-radius counters). */
    public synchronized Replicas replicas() {
        return replicas;
    }

    synchronized void telemetry(Tracing t, OtlpCounters metrics) {
        this.tracing = t;
        this.otlpCounters = metrics;
    }

    synchronized void replicas(Replicas r) {
        this.replicas = r;
    }

    /** Once Camel stopped: the leader hands over and releases the Lease, the last spans and counters go out. */
    synchronized void stopReplicasAndTelemetry() {
        if (replicas != null) {
            replicas.stop();
        }
        tracing.close();
        if (otlpCounters != null) {
            otlpCounters.close();
        }
    }

    /** Adds an observer of every action result (metrics; tests). */
    public void addResultListener(ResultListener l) {
        resultListeners.add(l);
    }

    void fireResult(ActionResult r, org.falcosecurity.talon.rules.Event e, long receivedNanos) {
        for (ResultListener l : resultListeners) {
            l.onResult(r, e, receivedNanos);
        }
    }
}
