package org.falcosecurity.talon.kafka;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.KafkaBroker;
import org.falcosecurity.talon.support.TalonTestServer;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Talon instances in Kafka mode for the tests: the same rules (label the pod), a recording notifier. */
final class KafkaTalons {

    static final String NAMESPACE = "default";

    /** One action per event: label the pod (idempotent: a label already set is a success). */
    static final String RULES = """
            - rule: Mark shells
              match:
                rules: [Terminal shell in container]
              actions:
                - action: Mark pod
                  actionner: kubernetes:label
                  parameters:
                    labels:
                      falco.org/suspicious: "true"
            """;

    /** A notifier that records what it delivers (after a small pause, as a real one takes), and can be held. */
    static final String RECORD_NOTIFIER = """
            - route:
                id: notifier-record
                from:
                  uri: direct:notifier-record
                  steps:
                    - bean:
                        ref: deliveries
                        method: deliver
            """;

    private KafkaTalons() {
    }

    /** What a recording notifier delivered; {@link #hold()} blocks deliveries until {@link #release()}. */
    static final class Deliveries {
        final List<String> traceIds = new CopyOnWriteArrayList<>();
        private volatile CountDownLatch gate = new CountDownLatch(0);
        final CountDownLatch held = new CountDownLatch(1);

        public void deliver(ActionResult r) throws InterruptedException {
            if (gate.getCount() > 0) {
                held.countDown();
                gate.await(60, TimeUnit.SECONDS);
            }
            // a delivery takes a little time, as a real notifier's does (simulated work, not a wait for
            // anything): the stopped replica of the scale-out test then has notifications in flight
            Thread.sleep(2);
            traceIds.add(r.getTraceId());
        }

        void hold() {
            gate = new CountDownLatch(1);
        }

        void release() {
            gate.countDown();
        }
    }

    static TalonTestServer.Builder instance(KafkaBroker broker, KubernetesClient client, String topic, String group,
                                            String clientId, Deliveries deliveries, String extraConfig) {
        return TalonTestServer.builder()
                .config("""
                        print_all_events: false
                        workers: 1
                        default_notifiers: [record]
                        kafka:
                          enabled: true
                          brokers: %s
                          topic: %s
                          group_id: %s
                          send_timeout_ms: 3000
                          session_timeout_ms: 6000
                        %s
                        """.formatted(broker.bootstrap(), topic, group, extraConfig))
                .rules(RULES)
                .route("notifier-record.camel.yaml", RECORD_NOTIFIER)
                .bean("deliveries", deliveries)
                // names the instance's consumer in the group, to observe the assignment
                .property("camel.component.kafka.client-id", clientId)
                .kubernetesClient(client);
    }

    static void createPods(KubernetesClient client, int n) {
        for (int i = 0; i < n; i++) {
            client.pods().inNamespace(NAMESPACE).resource(new PodBuilder().withNewMetadata().withName(pod(i))
                    .withNamespace(NAMESPACE).withLabels(Map.of("app", "web")).endMetadata().withNewSpec()
                    // the node the events come from (their hostname): provenance
                    .withNodeName("node-1")
                    .addNewContainer().withName("c").withImage("nginx").endContainer().endSpec().build()).create();
        }
    }

    static String pod(int i) {
        return "web-" + i;
    }

    /** A Falco event for a pod; the output carries the sequence number, so no two events are duplicates. */
    static String event(String uuid, String pod, int seq) {
        return """
                {"uuid":"%s","rule":"Terminal shell in container","priority":"Notice",\
                "output":"12:00:00.000000000: Notice A shell was spawned in %s seq=%d",\
                "time":"2026-11-27T12:00:00Z","source":"syscall","hostname":"node-1",\
                "output_fields":{"k8s.ns.name":"%s","k8s.pod.name":"%s","proc.cmdline":"sh"}}"""
                .formatted(uuid, pod, seq, NAMESPACE, pod);
    }
}
