package org.falcosecurity.talon.replicas;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import org.falcosecurity.talon.config.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The leader election of the replicas of one Talon (HTTP mode, {@code deduplication.leader_election}), on fabric8's
 * {@code LeaderElector} and a Lease in Talon's namespace ({@link LeaseLock}): client-go's algorithm, as upstream
 * Falco Talon uses it. The holder of the Lease leads: it alone runs actions. A leader that cannot renew within
 * {@code renew_deadline_ms} stops leading (it stops acting before its Lease may be taken, {@code
 * lease_duration_ms} after its last renewal); a follower takes the Lease at most {@code lease_duration_ms} plus a
 * retry period after the leader's last renewal, or one retry period after the leader released it on a graceful stop.
 *
 * <p>fabric8's elector runs one campaign: acquire, renew until it fails, stop. This class starts a new campaign
 * whenever one ends, until {@link #close}.
 */
public final class Leadership implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("falco-talon.replicas");

    /** What a replica does when it starts leading, before it acts (loads what the previous leader handed over). */
    public interface Takeover {
        void takingOver();
    }

    private final KubernetesClient client;
    private final ReplicaIdentity me;
    private final Settings.Replicas settings;
    private final LeaseLock lock;
    private final ScheduledExecutorService executor;
    private volatile Takeover takeover = () -> { };
    private volatile boolean leading;
    private volatile boolean closed;
    private CompletableFuture<?> campaign;

    public Leadership(KubernetesClient client, ReplicaIdentity me, Settings.Replicas settings) {
        this.client = client;
        this.me = me;
        this.settings = settings;
        this.lock = new LeaseLock(me.namespace(), settings.leaseName(), me.name(), me.advertiseUrl());
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "falco-talon-leader-election");
            t.setDaemon(true);
            return t;
        });
    }

    public void onTakeover(Takeover t) {
        this.takeover = t;
    }

    public ReplicaIdentity identity() {
        return me;
    }

    /** Starts campaigning for the Lease (returns at once). */
    public synchronized void start() {
        LOG.info("leader election on Lease {}/{} as '{}' (forwarded events to {} while leading)", me.namespace(),
                settings.leaseName(), me.name(), me.advertiseUrl());
        campaign();
    }

    private synchronized void campaign() {
        if (closed) {
            return;
        }
        var config = new LeaderElectionConfigBuilder()
                .withName("falco-talon")
                .withLock(lock)
                .withLeaseDuration(Duration.ofMillis(settings.leaseDurationMs()))
                .withRenewDeadline(Duration.ofMillis(settings.renewDeadlineMs()))
                .withRetryPeriod(Duration.ofMillis(settings.retryPeriodMs()))
                .withLeaderCallbacks(new LeaderCallbacks(this::startedLeading, this::stoppedLeading,
                        this::newLeader))
                .withReleaseOnCancel(true)
                .build();
        CompletableFuture<?> c = new LeaderElector(client, config, executor).start();
        campaign = c;
        c.whenComplete((v, t) -> {
            leading = false;
            if (!closed) {
                // the campaign ended (leadership lost): campaign again
                executor.schedule(this::campaign, settings.retryPeriodMs(), TimeUnit.MILLISECONDS);
            }
        });
    }

    private void startedLeading() {
        try {
            takeover.takingOver();
        } catch (RuntimeException e) {
            LOG.warn("taking over: {}", e.toString());
        }
        leading = true;
        LOG.info("this replica ('{}') leads: it runs the actions", me.name());
    }

    private void stoppedLeading() {
        if (leading) {
            LOG.warn("this replica ('{}') no longer leads: it stops acting and forwards its events", me.name());
        }
        leading = false;
    }

    private void newLeader(String identity) {
        if (identity != null && !identity.equals(me.name())) {
            LOG.info("leader: '{}'", identity);
        }
    }

    /** Whether this replica holds the Lease (and may act). */
    public boolean leading() {
        return leading && !closed;
    }

    /** The leader's URL as last read from the Lease, unless it is this replica or unknown. */
    public String leaderUrl() {
        LeaseLock.Observed o = lock.observed();
        if (o.holder() == null || o.holder().equals(me.name())) {
            return null;
        }
        return o.url();
    }

    /** The holder of the Lease as last read (null: none). */
    public String leader() {
        return leading() ? me.name() : lock.observed().holder();
    }

    /**
     * Stops campaigning; a leader releases the Lease (so a follower takes it within a retry period) after {@code
     * beforeRelease} ran (the deduplication window handed over). Called once this replica's queues are empty.
     */
    public void close(Runnable beforeRelease) {
        CompletableFuture<?> c;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (leading && beforeRelease != null) {
                beforeRelease.run();
            }
            closed = true;
            c = campaign;
        }
        if (c != null) {
            // fabric8 releases the Lease (holder cleared, 1 s duration) when the campaign is cancelled
            c.cancel(true);
        }
        leading = false;
        executor.shutdownNow();
    }

    @Override
    public void close() {
        close(null);
    }
}
