package org.falcosecurity.talon.actionners.kubernetes;

import org.falcosecurity.talon.kubernetes.Workloads;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MinHealthyReplicasTest {

    private static Workloads.Workload rs(int desired, int ready) {
        return new Workloads.Workload("ReplicaSet", "web", null, desired, ready);
    }

    @Test
    void countsAndPercentagesRoundedUp() {
        assertThat(MinHealthyReplicas.parse(2).required(10)).isEqualTo(2);
        assertThat(MinHealthyReplicas.parse("2").required(10)).isEqualTo(2);
        assertThat(MinHealthyReplicas.parse("50%").required(3)).isEqualTo(2);
        assertThat(MinHealthyReplicas.parse("33%").required(3)).isEqualTo(1);
        assertThat(MinHealthyReplicas.parse("70%").required(10)).isEqualTo(7);
        assertThat(MinHealthyReplicas.parse("100%").required(4)).isEqualTo(4);
        assertThat(MinHealthyReplicas.parse("0%").required(4)).isZero();
        assertThat(MinHealthyReplicas.parse(null)).isNull();
    }

    @Test
    void blocksOnlyBelowTheRequiredReadyReplicas() {
        MinHealthyReplicas half = MinHealthyReplicas.parse("50%");
        assertThat(half.blocks(rs(3, 2))).isNull();
        assertThat(half.blocks(rs(3, 1))).isEqualTo("ReplicaSet web has 1 ready replica(s), fewer than the 2"
                + " required by min_healthy_replicas 50% of 3 desired");
        assertThat(MinHealthyReplicas.parse(3).blocks(rs(5, 2))).endsWith("required by min_healthy_replicas 3");
    }
}
