package org.falcosecurity.talon.notifiers;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.Facts;
import org.falcosecurity.talon.support.KubernetesSimulator;
import org.falcosecurity.talon.support.TestRoutes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The k8sevents notifier through the running application against the fabric8 Kubernetes API simulator: each result
 * becomes an events.k8s.io/v1 Event in the pod's namespace, regarding the pod with its uid.
 */
class KubernetesEventsNotifierSimulatorTest {

    @RegisterExtension
    static final KubernetesSimulator k8s = KubernetesSimulator.crud().withTalon(b -> b
            .config("default_notifiers: [k8sevents]\n"
                    // the events differ only by pod: keep every one of them
                    + "deduplication: {time_window_seconds: 0}\n"
                    + "routes_directory: " + TestRoutes.directory(TestRoutes.FAILING_ACTIONNER) + "\n")
            .rules("""
                    - rule: Shell
                      match:
                        rules: [Terminal shell in container]
                      actions:
                        - action: Log it
                          actionner: custom:log
                          parameters:
                            message: "%s"
                        - action: Break it
                          actionner: test:fail
                    """.formatted("é".repeat(1500))));
    private static String podUid;

    @BeforeAll
    static void postEvents() throws Exception {
        podUid = k8s.client().pods().inNamespace("prod").resource(new PodBuilder()
                        .withNewMetadata().withName("web-1").withNamespace("prod").withUid("3f1c-uid-web-1").endMetadata()
                        .withNewSpec().addNewContainer().withName("app").withImage("nginx").endContainer().endSpec()
                        .build())
                .create().getMetadata().getUid();
        assertThat(k8s.talon().post(Events.shell("prod", "web-1")).statusCode()).isEqualTo(200);
        assertThat(k8s.talon().post(Events.shell("prod", "gone-1")).statusCode()).isEqualTo(200);
    }

    private static List<Event> events(String pod) {
        await().atMost(Duration.ofSeconds(20)).until(() -> k8s.client().events().v1().events().inNamespace("prod")
                .list().getItems().stream().filter(e -> pod.equals(e.getRegarding().getName())).count() == 2);
        return k8s.client().events().v1().events().inNamespace("prod").list().getItems().stream()
                .filter(e -> pod.equals(e.getRegarding().getName()))
                .sorted(Comparator.comparing(Event::getReason)).toList();
    }

    @Test
    void eachResultIsAnEventRegardingThePod() {
        List<Event> events = events("web-1");
        Event ok = events.get(0);
        assertThat(ok.getRegarding().getKind()).isEqualTo("Pod");
        assertThat(ok.getRegarding().getApiVersion()).isEqualTo("v1");
        assertThat(ok.getRegarding().getNamespace()).isEqualTo("prod");
        assertThat(ok.getRegarding().getUid()).isEqualTo(podUid);
        assertThat(ok.getMetadata().getName()).startsWith("web-1.");
        assertThat(ok.getReason()).isEqualTo("falco-talon:custom:log:success");
        assertThat(ok.getAction()).isEqualTo("custom:log");
        assertThat(ok.getType()).isEqualTo("Normal");
        assertThat(ok.getReportingController()).isEqualTo("falco-talon");
        assertThat(ok.getEventTime().getTime()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
        Map<String, String> note = Facts.labelled(ok.getNote());
        assertThat(note.keySet()).containsExactly("Status", "Rule", "Action", "Actionner", "Objects", "Event",
                "Output");
        assertThat(note).containsEntry("Status", "success").containsEntry("Rule", "Shell")
                .containsEntry("Action", "Log it").containsEntry("Actionner", "custom:log")
                .containsEntry("Event", "test output");
        assertThat(note.get("Output")).startsWith("logged: éé");
        Facts.assertNames(note.get("Objects"), "pod", "web-1");
        Facts.assertNames(note.get("Objects"), "namespace", "prod");
        // the output is long: the note is cut to the API server's 1024-byte limit
        assertThat(ok.getNote().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(1024)
                .isGreaterThan(1000);
        assertThat(ok.getNote()).endsWith("…");

        Event failed = events.get(1);
        assertThat(failed.getReason()).isEqualTo("falco-talon:test:fail:failure");
        assertThat(failed.getType()).isEqualTo("Warning");
        assertThat(failed.getNote()).contains("Status: failure\n").endsWith("Error: boom");
    }

    @Test
    void aPodThatIsGoneIsStillNamedWithoutUid() {
        Event ok = events("gone-1").get(0);
        assertThat(ok.getRegarding().getName()).isEqualTo("gone-1");
        assertThat(ok.getRegarding().getUid()).isNull();
        assertThat(k8s.talon().server().runtime().counters().get("notifications_lost", "notifier", "k8sevents",
                "reason", "failed")).isZero();
    }
}
