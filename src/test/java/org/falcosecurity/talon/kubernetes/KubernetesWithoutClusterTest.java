package org.falcosecurity.talon.kubernetes;

import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.podFields;

/** With no cluster configured, Kubernetes actions fail with a message that says so; dry runs still report. */
class KubernetesWithoutClusterTest {

    private static TalonTestServer talon;

    @BeforeAll
    static void start() throws Exception {
        talon = TalonTestServer.builder().config("print_all_events: false\ndeduplication:\n  time_window_seconds: 0\n").withoutKubernetesCluster().rules("""
                - rule: live
                  match: {rules: [live]}
                  actions:
                    - action: label
                      actionner: kubernetes:label
                      parameters: {labels: {a: "1"}}
                    - action: delete
                      actionner: kubernetes:delete
                      ignore_errors: true
                - rule: rehearsal
                  match: {rules: [rehearsal]}
                  dry_run: true
                  actions: [{action: t, actionner: kubernetes:terminate}]
                """).start();
    }

    @AfterAll
    static void stop() {
        talon.close();
    }

    @Test
    void kubernetesActionsFailSayingNoClusterIsConfigured() throws Exception {
        List<ActionResult> r = ActionnerRun.post(talon, "live", podFields("default", "web-1"), 1);
        assertThat(r.get(0).getStatus()).isEqualTo("failure");
        assertThat(r.get(0).getError()).isEqualTo(ClusterAccess.NOT_CONFIGURED)
                .startsWith("no Kubernetes cluster is configured").contains("dry runs");
    }

    @Test
    void dryRunsStillReportWhatTheyWouldDo() throws Exception {
        ActionResult r = ActionnerRun.run(talon, "rehearsal", podFields("default", "web-1"));
        assertThat(r.getStatus()).isEqualTo("dry-run");
        assertThat(r.getMessage()).startsWith("would run kubernetes:terminate");
    }

    @Test
    void noClusterMeansNoKubernetesClientAndNoEndpointOfANotifierNobodyConfigured() throws Exception {
        org.apache.camel.CamelContext camel = talon.server().context();
        // no fabric8 client in the registry (camel-kubernetes would autowire it) and none behind the connection
        assertThat(camel.getRegistry().lookupByName("kubernetesClient")).isNull();
        assertThat(camel.getRegistry().findByType(io.fabric8.kubernetes.client.KubernetesClient.class)).isEmpty();
        KubernetesClients.Connection c = talon.server().runtime().kubernetes();
        assertThat(c.configured()).isFalse();
        assertThatThrownBy(c::client).isInstanceOf(IllegalStateException.class)
                .hasMessage(ClusterAccess.NOT_CONFIGURED);
        // the notifiers' sending endpoints (toD) are made by their first message: with none sent, none exists
        assertThat(camel.getEndpoints()).extracting(org.apache.camel.Endpoint::getEndpointUri)
                .noneMatch(u -> u.startsWith("kubernetes-events:") || u.startsWith("http:") || u.startsWith("smtp:")
                        || u.startsWith("slack:") || u.startsWith("elasticsearch:") || u.startsWith("opensearch:"));
        // and Talon still answers
        assertThat(talon.send("GET", "/healthz", null, null).statusCode()).isEqualTo(200);
        assertThat(talon.send("GET", "/readyz", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void startupWarnsAboutLiveKubernetesActionsWithoutCluster() {
        String warning = KubernetesReadiness.warning(false, talon.server().runtime().engine().rules(), false);
        assertThat(warning).startsWith(ClusterAccess.NOT_CONFIGURED)
                .contains("these 2 action(s) will fail until one is (or set dry_run: true):")
                .contains("rule 'live' → action 'label' (kubernetes:label)")
                .contains("rule 'live' → action 'delete' (kubernetes:delete)")
                .doesNotContain("rehearsal");
        assertThat(KubernetesReadiness.warning(true, talon.server().runtime().engine().rules(), false)).isNull();
        assertThat(KubernetesReadiness.warning(false, talon.server().runtime().engine().rules(), true)).isNull();
    }
}
