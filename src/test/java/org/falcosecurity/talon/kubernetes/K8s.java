package org.falcosecurity.talon.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.Arrays;
import java.util.Map;
import java.util.UUID;

/** Kubernetes objects for the API simulator: pods with owners, workloads with replica counts, nodes. */
final class K8s {

    private K8s() {
    }

    static OwnerReference owner(String kind, String name) {
        String api = kind.equals("ReplicaSet") || kind.equals("DaemonSet") || kind.equals("StatefulSet")
                || kind.equals("Deployment") ? "apps/v1" : "batch/v1";
        return new OwnerReferenceBuilder().withApiVersion(api).withKind(kind).withName(name)
                .withUid(UUID.randomUUID().toString()).withController(true).build();
    }

    static PodBuilder podBuilder(String ns, String name, Map<String, String> labels, String... containers) {
        PodBuilder b = new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).withLabels(labels)
                .endMetadata().withNewSpec().withNodeName("node-1").endSpec()
                .withNewStatus().withPhase("Running").endStatus();
        String[] names = containers.length == 0 ? new String[] {"main"} : containers;
        b.editSpec().withContainers(Arrays.stream(names)
                .map(c -> new ContainerBuilder().withName(c).withImage("busybox").build()).toList()).endSpec();
        return b;
    }

    static Pod pod(KubernetesClient c, String ns, String name, Map<String, String> labels, OwnerReference owner,
                   String... containers) {
        PodBuilder b = podBuilder(ns, name, labels, containers);
        if (owner != null) {
            b.editMetadata().withOwnerReferences(owner).endMetadata();
        }
        return c.resource(b.build()).create();
    }

    static ReplicaSet replicaSet(KubernetesClient c, String ns, String name, int desired, int ready,
                                 Map<String, String> selector, OwnerReference deployment) {
        ReplicaSetBuilder b = new ReplicaSetBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withReplicas(desired)
                .withSelector(new LabelSelectorBuilder().withMatchLabels(selector).build()).endSpec()
                .withNewStatus().withReplicas(desired).withReadyReplicas(ready).endStatus();
        if (deployment != null) {
            b.editMetadata().withOwnerReferences(deployment).endMetadata();
        }
        return c.resource(b.build()).create();
    }

    static Deployment deployment(KubernetesClient c, String ns, String name, Map<String, String> selector) {
        return c.resource(new DeploymentBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withReplicas(3)
                .withSelector(new LabelSelectorBuilder().withMatchLabels(selector).build()).endSpec().build()).create();
    }

    static DaemonSet daemonSet(KubernetesClient c, String ns, String name, int desired, int ready,
                               Map<String, String> selector) {
        return c.resource(new DaemonSetBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withSelector(new LabelSelectorBuilder().withMatchLabels(selector).build()).endSpec()
                .withNewStatus().withDesiredNumberScheduled(desired).withNumberReady(ready).endStatus().build())
                .create();
    }

    static StatefulSet statefulSet(KubernetesClient c, String ns, String name, int desired, int ready,
                                   Map<String, String> selector) {
        return c.resource(new StatefulSetBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withReplicas(desired)
                .withSelector(new LabelSelectorBuilder().withMatchLabels(selector).build()).endSpec()
                .withNewStatus().withReplicas(desired).withReadyReplicas(ready).endStatus().build()).create();
    }

    static Node node(KubernetesClient c, String name) {
        return c.resource(new NodeBuilder().withNewMetadata().withName(name).addToLabels("kubernetes.io/hostname", name)
                .endMetadata().withNewSpec().endSpec().build()).create();
    }
}
