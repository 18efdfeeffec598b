package org.falcosecurity.talon.kubernetes;

import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.KubernetesSimulator;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged example rules (rules/rules.yaml) load in the real application, and the quick start's event gives
 * the dry runs the README shows, touching nothing in the cluster.
 */
class PackagedRulesSimulatorTest {

    @RegisterExtension
    static final KubernetesSimulator k8s = KubernetesSimulator.crud();

    @Test
    void packagedRulesLoadAndTheirKubernetesActionsAreDryRuns() throws Exception {
        K8s.pod(k8s.client(), "default", "cncf-55696bc998-ql5qd", Map.of("app", "cncf"), null);
        try (TalonTestServer talon = TalonTestServer.builder().config("print_all_events: false\ndeduplication:\n  time_window_seconds: 0\n")
                .rules(Files.readString(Path.of("rules", "rules.yaml"))).kubernetesClient(k8s.client()).start()) {
            assertThat(talon.post(Events.load("terminal-shell.json")).statusCode()).isEqualTo(200);
            List<ActionResult> r = talon.awaitResults(2);
            assertThat(r).extracting(ActionResult::getAction).containsExactly("Label pod as suspicious",
                    "Terminate pod");
            assertThat(r).allSatisfy(x -> assertThat(x.getStatus()).isEqualTo("dry-run"));
            assertThat(k8s.client().pods().inNamespace("default").withName("cncf-55696bc998-ql5qd").get().getMetadata()
                    .getLabels()).containsExactly(Map.entry("app", "cncf"));
        }
    }
}
