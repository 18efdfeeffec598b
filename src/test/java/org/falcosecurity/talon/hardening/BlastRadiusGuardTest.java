package org.falcosecurity.talon.hardening;

import org.falcosecurity.talon.dispatch.BlastRadiusGuard;
import org.falcosecurity.talon.ops.TalonCounters;
import org.falcosecurity.talon.rules.Event;
import org.falcosecurity.talon.rules.Priority;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class BlastRadiusGuardTest {

    private final AtomicLong now = new AtomicLong();
    private final TalonCounters counters = new TalonCounters();

    private static Event pod(String ns, String name) {
        return new Event("", "r", Priority.CRITICAL, "", "", "", "syscall", "h", List.of(),
                Map.of("k8s.ns.name", ns, "k8s.pod.name", name));
    }

    @Test
    void capsActionsInTheWindowPerWorkloadAndInAll() {
        BlastRadiusGuard g = new BlastRadiusGuard(600, 5, 0, 2, List.of("kubernetes:terminate"), now::get, counters);
        assertThat(g.tryAcquire("r", "kubernetes:terminate", pod("prod", "api-6d9f7c8b5-x2x9k"))).isNull();
        assertThat(g.tryAcquire("r", "kubernetes:terminate", pod("prod", "api-6d9f7c8b5-abcde"))).isNull();
        // a third pod of the same Deployment
        assertThat(g.tryAcquire("r", "kubernetes:terminate", pod("prod", "api-7f00000000-zzzzz")))
                .isEqualTo("blast-radius limit: at most 2 destructive actions per 600s on workload prod/api");
        // other workloads are still allowed, up to the global cap
        assertThat(g.tryAcquire("r", "kubernetes:terminate", pod("prod", "web-0"))).isNull();
        assertThat(g.tryAcquire("r", "kubernetes:terminate", pod("prod", "db-1"))).isNull();
        assertThat(g.tryAcquire("r", "kubernetes:terminate", pod("dev", "job-abcde"))).isNull();
        assertThat(g.tryAcquire("r", "kubernetes:terminate", pod("dev", "other")))
                .isEqualTo("blast-radius limit: at most 5 destructive actions per 600s (all rules)");
        // actionners that are not guarded are never limited
        assertThat(g.tryAcquire("r", "kubernetes:label", pod("prod", "api-6d9f7c8b5-x2x9k"))).isNull();
        // the window slides
        now.addAndGet(600_000_000_000L);
        assertThat(g.tryAcquire("r", "kubernetes:terminate", pod("prod", "api-6d9f7c8b5-x2x9k"))).isNull();
    }

    @Test
    void capsPerRule() {
        BlastRadiusGuard g = new BlastRadiusGuard(60, 0, 1, 0, List.of("kubernetes:delete"), now::get, counters);
        assertThat(g.tryAcquire("a", "kubernetes:delete", pod("ns", "x"))).isNull();
        assertThat(g.tryAcquire("a", "kubernetes:delete", pod("ns", "y")))
                .isEqualTo("blast-radius limit: at most 1 destructive actions per 60s for rule 'a'");
        assertThat(g.tryAcquire("b", "kubernetes:delete", pod("ns", "y"))).isNull();
    }

    @Test
    void noLimitsMeansOff() {
        BlastRadiusGuard g = new BlastRadiusGuard(60, 0, 0, 0, List.of("kubernetes:terminate"), now::get, counters);
        assertThat(g.enabled()).isFalse();
        for (int i = 0; i < 100; i++) {
            assertThat(g.tryAcquire("r", "kubernetes:terminate", pod("ns", "p"))).isNull();
        }
    }

    @Test
    void theMapKeyedByPodNamesHasAHardCapAndCountsEvictions() {
        BlastRadiusGuard g = new BlastRadiusGuard(600, 0, 0, 2, List.of("kubernetes:terminate"), now::get, counters);
        int sent = BlastRadiusGuard.MAX_TRACKED * 2;
        for (int i = 0; i < sent; i++) {
            // every event names another pod (another workload), as a sender flooding names would
            assertThat(g.tryAcquire("r", "kubernetes:terminate", pod("ns", "p" + i + "x"))).isNull();
        }
        // one rule plus at most MAX_TRACKED workloads, whatever was sent
        assertThat(g.tracked()).isEqualTo(1 + BlastRadiusGuard.MAX_TRACKED);
        assertThat(counters.get("tracking_evicted", "map", "blast_radius_workload"))
                .isEqualTo(sent - BlastRadiusGuard.MAX_TRACKED);
        // the most recent workloads are still tracked: their limit holds
        g.tryAcquire("r", "kubernetes:terminate", pod("ns", "p" + (sent - 1) + "x"));
        assertThat(g.tryAcquire("r", "kubernetes:terminate", pod("ns", "p" + (sent - 1) + "x")))
                .startsWith("blast-radius limit: at most 2");
    }

    @Test
    void anActionRefusedByALimitAddsNoWorkload() {
        BlastRadiusGuard g = new BlastRadiusGuard(600, 1, 0, 2, List.of("kubernetes:terminate"), now::get, counters);
        assertThat(g.tryAcquire("r", "kubernetes:terminate", pod("ns", "first"))).isNull();
        for (int i = 0; i < 1000; i++) {
            assertThat(g.tryAcquire("r", "kubernetes:terminate", pod("ns", "other" + i + "x"))).isNotNull();
        }
        assertThat(g.tracked()).isEqualTo(2);
    }
}
