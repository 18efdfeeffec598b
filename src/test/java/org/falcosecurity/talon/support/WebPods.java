package org.falcosecurity.talon.support;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.Map;

/** Pods {@code web-<i>} in namespace {@code default} on the API simulator, Falco events about them, a rule. */
public final class WebPods {

    public static final String NAMESPACE = "default";

    /** One action per event: label the pod (idempotent: a label already set is a success). */
    public static final String LABEL_RULES = """
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

    private WebPods() {
    }

    public static void create(KubernetesClient client, int n) {
        for (int i = 0; i < n; i++) {
            client.pods().inNamespace(NAMESPACE).resource(new PodBuilder().withNewMetadata().withName(pod(i))
                    .withNamespace(NAMESPACE).withLabels(Map.of("app", "web")).endMetadata().withNewSpec()
                    // the node the events come from (their hostname): provenance
                    .withNodeName("node-1")
                    .addNewContainer().withName("c").withImage("nginx").endContainer().endSpec().build()).create();
        }
    }

    public static String pod(int i) {
        return "web-" + i;
    }

    /** A Falco event for a pod; the output carries the sequence number, so no two events are duplicates. */
    public static String event(String uuid, String pod, int seq) {
        return """
                {"uuid":"%s","rule":"Terminal shell in container","priority":"Notice",\
                "output":"12:00:00.000000000: Notice A shell was spawned in %s seq=%d",\
                "time":"2026-11-27T12:00:00Z","source":"syscall","hostname":"node-1",\
                "output_fields":{"k8s.ns.name":"%s","k8s.pod.name":"%s","proc.cmdline":"sh"}}"""
                .formatted(uuid, pod, seq, NAMESPACE, pod);
    }
}
