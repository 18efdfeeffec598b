package org.falcosecurity.talon.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The replicas.* settings: client-go's rules for the Lease timings, Kubernetes names, an advertised URL only. */
class ReplicasSettingsTest {

    @Test
    void defaultsAsUpstream() throws Exception {
        TalonConfig c = TalonConfig.parse(null, "none", Map.of());
        assertThat(c.deduplication().leaderElection()).isTrue();
        assertThat(c.replicas().leaseName()).isEqualTo("falco-talon");
        assertThat(c.replicas().leaseDurationMs()).isEqualTo(15000);
        assertThat(c.replicas().renewDeadlineMs()).isEqualTo(10000);
        assertThat(c.replicas().retryPeriodMs()).isEqualTo(2000);
        assertThat(c.replicas().namespace()).isEmpty();
    }

    @Test
    void theLeaderGivesUpBeforeItsLeaseMayBeTaken() {
        assertThatThrownBy(() -> TalonConfig.parse(
                "replicas: {lease_duration_ms: 5000, renew_deadline_ms: 5000, retry_period_ms: 1000}", "c.yaml",
                Map.of())).hasMessageContaining("replicas.lease_duration_ms: must be more than"
                        + " replicas.renew_deadline_ms (5000), got 5000");
        assertThatThrownBy(() -> TalonConfig.parse("replicas: {renew_deadline_ms: 2200, retry_period_ms: 2000}",
                "c.yaml", Map.of())).hasMessageContaining("replicas.renew_deadline_ms: must be more than 1.2 ×");
        assertThatThrownBy(() -> TalonConfig.parse("replicas: {retry_period_ms: 10}", "c.yaml", Map.of()))
                .hasMessageContaining("replicas.retry_period_ms");
    }

    @Test
    void namesAndTheAdvertisedUrlAreChecked() {
        assertThatThrownBy(() -> TalonConfig.parse("replicas: {lease_name: Talon_Lease}", "c.yaml", Map.of()))
                .hasMessageContaining("replicas.lease_name: a Kubernetes object name");
        assertThatThrownBy(() -> TalonConfig.parse("replicas: {namespace: 'a b'}", "c.yaml", Map.of()))
                .hasMessageContaining("replicas.namespace: a Kubernetes namespace");
        assertThatThrownBy(() -> TalonConfig.parse("replicas: {identity: 'pod\\nx'}", "c.yaml", Map.of()))
                .hasMessageContaining("replicas.identity: letters, digits");
        // the followers send events and the intake token there: a scheme, a host and a port, nothing else
        for (String bad : new String[] {"ftp://talon:2803", "http://user@talon:2803", "http://talon:2803/x?y=1",
                "talon:2803"}) {
            assertThatThrownBy(() -> TalonConfig.parse("replicas: {advertise_url: '" + bad + "'}", "c.yaml",
                    Map.of())).as(bad).hasMessageContaining("replicas.advertise_url");
        }
        assertThat(AdvertisedUrl.problem("https://10.0.0.7:2803")).isNull();
        assertThat(AdvertisedUrl.problem("http://[fd00::7]:2803/")).isNull();
    }
}
