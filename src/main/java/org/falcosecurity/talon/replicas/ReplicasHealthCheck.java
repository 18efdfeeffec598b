package org.falcosecurity.talon.replicas;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;

/**
 * Readiness detail of {@code /readyz}: this replica's role ({@code leader}, {@code follower}, or {@code alone}
 * without leader election) and the leader it knows. Always up: a follower takes events (and forwards them) even
 * while no replica leads, so the Service keeps sending to every replica; see docs/scale-out.md.
 */
public final class ReplicasHealthCheck extends AbstractHealthCheck {

    private final Leadership leadership;

    public ReplicasHealthCheck(Leadership leadership) {
        super("falco-talon", "replicas");
        this.leadership = leadership;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        if (leadership == null) {
            builder.detail("role", "alone").up();
            return;
        }
        String leader = leadership.leader();
        builder.detail("role", leadership.leading() ? "leader" : "follower")
                .detail("replica", leadership.identity().name())
                .detail("leader", leader == null ? "none" : leader)
                .up();
    }
}
