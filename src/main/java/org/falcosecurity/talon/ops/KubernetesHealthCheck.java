package org.falcosecurity.talon.ops;

import io.fabric8.kubernetes.client.VersionInfo;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.falcosecurity.talon.kubernetes.KubernetesClients;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Readiness: when a cluster is configured, its API server answers ({@code GET /version}, which every authenticated
 * service account may read). A probe never waits more than {@link #WAIT}: the call runs on its own thread, and its
 * answer is reused for {@link #CACHE}, so frequent probes do not load the API server. With no cluster configured the
 * check is up and says so (Kubernetes actions then fail, or run as dry runs).
 */
public final class KubernetesHealthCheck extends AbstractHealthCheck implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(2);
    static final Duration CACHE = Duration.ofSeconds(10);

    private final Supplier<KubernetesClients.Connection> connection;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "falco-talon-kubernetes-health");
        t.setDaemon(true);
        return t;
    });
    private CompletableFuture<String> probe;
    private long probeStartedNanos;

    public KubernetesHealthCheck(Supplier<KubernetesClients.Connection> connection) {
        super("falco-talon", "kubernetes");
        this.connection = connection;
    }

    @Override
    public boolean isLiveness() {
        // an API server outage must not restart Talon: it only stops taking events until the server is back
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        KubernetesClients.Connection c = connection.get();
        builder.detail("cluster", c.description());
        if (!c.configured()) {
            builder.up();
            return;
        }
        try {
            String version = currentProbe(c).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            builder.detail("version", version).up();
        } catch (TimeoutException e) {
            builder.message("the Kubernetes API server did not answer within " + WAIT.toSeconds() + "s").down();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            builder.message("the Kubernetes API server is not reachable: " + cause.getClass().getSimpleName())
                    .down();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            builder.down();
        }
    }

    /** The running or recent probe; a new one once the last answer is older than {@link #CACHE}. */
    private synchronized CompletableFuture<String> currentProbe(KubernetesClients.Connection c) {
        long now = System.nanoTime();
        boolean stale = probe == null || (probe.isDone() && now - probeStartedNanos > CACHE.toNanos());
        if (stale) {
            probeStartedNanos = now;
            probe = CompletableFuture.supplyAsync(() -> describe(c.client().getKubernetesVersion()), executor);
        }
        return probe;
    }

    private static String describe(VersionInfo v) {
        return v.getGitVersion() != null ? v.getGitVersion() : v.getMajor() + "." + v.getMinor();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
