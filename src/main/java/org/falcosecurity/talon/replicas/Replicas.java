package org.falcosecurity.talon.replicas;

import org.falcosecurity.talon.config.TalonConfig;
import org.falcosecurity.talon.dispatch.BlastRadius;
import org.falcosecurity.talon.dispatch.BlastRadiusGuard;
import org.falcosecurity.talon.dispatch.EventDeduplicator;
import org.falcosecurity.talon.kubernetes.KubernetesClients;
import org.falcosecurity.talon.ops.TalonCounters;
import org.falcosecurity.talon.telemetry.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * How this replica works with the others (docs/scale-out.md), built once per Talon by {@code server}:
 *
 * <ul>
 *   <li>leader election ({@link Leadership}) when {@code deduplication.leader_election} is on, a cluster is
 *       configured and Kafka mode is off — the leader acts, the others forward to it ({@link LeaderRelay}), the
 *       deduplication window passes from a stopping leader to the next ({@link DedupHandover});</li>
 *   <li>blast-radius limits counted in the cluster ({@link SharedBlastRadius}) whenever a cluster is configured,
 *       in memory ({@link BlastRadiusGuard}) otherwise.</li>
 * </ul>
 */
public final class Replicas {

    private static final Logger LOG = LoggerFactory.getLogger("falco-talon.replicas");

    private final Leadership leadership;
    private final DedupHandover handover;
    private final LeaderRelay relay;
    private final BlastRadius blastRadius;

    private Replicas(Leadership leadership, DedupHandover handover, LeaderRelay relay, BlastRadius blastRadius) {
        this.leadership = leadership;
        this.handover = handover;
        this.relay = relay;
        this.blastRadius = blastRadius;
    }

    public static Replicas create(TalonConfig config, ReplicaIdentity me, KubernetesClients.Connection cluster,
                                  EventDeduplicator deduplicator, BlastRadiusGuard memoryGuard,
                                  TalonCounters counters, Tracing tracing) {
        var r = config.replicas();
        boolean electing = config.deduplication().leaderElection() && cluster.configured()
                && !config.kafka().enabled();
        if (config.deduplication().leaderElection() && config.kafka().enabled()) {
            LOG.info("Kafka mode: no leader election (the consumer group shares the work)");
        }
        Leadership leadership = null;
        DedupHandover handover = null;
        if (electing) {
            leadership = new Leadership(cluster.client(), me, r);
            handover = new DedupHandover(cluster.client(), me, r.leaseName(), deduplicator);
            leadership.onTakeover(handover::takeOver);
        }
        Duration timeout = Duration.ofMillis(r.forwardTimeoutMs());
        LeaderRelay relay = new LeaderRelay(leadership, electing ? RelayClient.create(config, timeout) : null,
                timeout, config.authToken(), counters, tracing);
        BlastRadius blastRadius = cluster.configured() && memoryGuard.enabled()
                ? new SharedBlastRadius(cluster.client(), me.namespace(), r.leaseName(), config.blastRadius(),
                        counters, System::currentTimeMillis)
                : memoryGuard;
        return new Replicas(leadership, handover, relay, blastRadius);
    }

    public LeaderRelay relay() {
        return relay;
    }

    public BlastRadius blastRadius() {
        return blastRadius;
    }

    /** The election, or {@code null} when this replica acts alone. */
    public Leadership leadership() {
        return leadership;
    }

    /** Starts campaigning for the Lease (once the routes run). */
    public void start() {
        if (leadership != null) {
            leadership.start();
        }
    }

    /**
     * Once this replica's queues are empty (Camel stopped): a leader hands the deduplication window over, then
     * releases the Lease.
     */
    public void stop() {
        if (leadership != null) {
            leadership.close(handover::handOver);
        }
    }
}
