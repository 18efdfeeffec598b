package org.falcosecurity.talon.ops;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.apache.camel.health.HealthCheck;
import org.falcosecurity.talon.kubernetes.KubernetesClients;
import org.falcosecurity.talon.rules.RuleEngine;
import org.falcosecurity.talon.rules.RuleSet;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The readiness checks on their own: what makes each one up or down, and that neither is a liveness check. */
class HealthChecksTest {

    @Test
    void rulesAreReadyOnlyOnceLoaded() {
        RuleEngine engine = new RuleEngine(false);
        RulesHealthCheck check = new RulesHealthCheck(engine);
        assertThat(check.isLiveness()).isFalse();
        assertThat(check.isReadiness()).isTrue();

        HealthCheck.Result before = check.call();
        assertThat(before.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(before.getMessage()).hasValue("the rules are not loaded yet");

        engine.replace(new RuleSet(List.of(), List.of("rules.yaml")));
        HealthCheck.Result after = check.call();
        assertThat(after.getState()).isEqualTo(HealthCheck.State.UP);
        assertThat(after.getDetails()).containsEntry("rules", 0).containsEntry("loads", 1L);
    }

    @Test
    void noClusterConfiguredIsReady() {
        // never called: with no cluster configured the check does not probe
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.empty()).build();
             KubernetesHealthCheck check = new KubernetesHealthCheck(
                () -> new KubernetesClients.Connection(client, false, "no cluster configured"))) {
            assertThat(check.isLiveness()).isFalse();
            HealthCheck.Result r = check.call();
            assertThat(r.getState()).isEqualTo(HealthCheck.State.UP);
            assertThat(r.getDetails()).containsEntry("cluster", "no cluster configured");
        }
    }
}
