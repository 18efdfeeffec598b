package org.falcosecurity.talon.kubernetes;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.falcosecurity.talon.contract.ActionStop;

import java.util.List;

/** What owns a pod: its controller (ReplicaSet, DaemonSet, StatefulSet, ...), its replica counts and selector. */
public final class Workloads {

    public static final String REPLICA_SET = "ReplicaSet";
    public static final String DAEMON_SET = "DaemonSet";
    public static final String STATEFUL_SET = "StatefulSet";
    public static final String DEPLOYMENT = "Deployment";

    private Workloads() {
    }

    /** A workload: its kind and name, its pod selector ({@code null} when unknown) and replica counts. */
    public record Workload(String kind, String name, LabelSelector selector, int desired, int ready) {
        public String ref() {
            return kind + " " + name;
        }
    }

    /** The pod's controller (the owner reference marked {@code controller}, else the first one), or null. */
    public static OwnerReference controller(Pod pod) {
        List<OwnerReference> refs = pod.getMetadata().getOwnerReferences();
        if (refs == null || refs.isEmpty()) {
            return null;
        }
        return refs.stream().filter(r -> Boolean.TRUE.equals(r.getController())).findFirst().orElse(refs.get(0));
    }

    public static String controllerKind(Pod pod) {
        OwnerReference o = controller(pod);
        return o == null ? null : o.getKind();
    }

    /**
     * The pod's direct controller with its replica counts, for ReplicaSet, DaemonSet and StatefulSet owners;
     * {@code null} for a standalone pod or another kind of owner. A failure when the owner does not exist.
     */
    public static Workload replicated(KubernetesClient client, Pod pod) {
        OwnerReference o = controller(pod);
        if (o == null) {
            return null;
        }
        String ns = pod.getMetadata().getNamespace();
        return switch (o.getKind()) {
            case REPLICA_SET -> ofReplicaSet(replicaSet(client, o, pod));
            case DAEMON_SET -> {
                DaemonSet ds = require(client.apps().daemonSets().inNamespace(ns).withName(o.getName()).get(), o, pod);
                yield new Workload(DAEMON_SET, o.getName(), ds.getSpec().getSelector(),
                        ds.getStatus() == null ? 0 : orDefault(ds.getStatus().getDesiredNumberScheduled(), 0),
                        ds.getStatus() == null ? 0 : orDefault(ds.getStatus().getNumberReady(), 0));
            }
            case STATEFUL_SET -> {
                StatefulSet sts = require(client.apps().statefulSets().inNamespace(ns).withName(o.getName()).get(),
                        o, pod);
                yield new Workload(STATEFUL_SET, o.getName(), sts.getSpec().getSelector(),
                        orDefault(sts.getSpec().getReplicas(), 1), orDefault(sts.getStatus() == null ? null
                        : sts.getStatus().getReadyReplicas(), 0));
            }
            default -> null;
        };
    }

    /**
     * The workload whose pods a NetworkPolicy should select: the Deployment of a ReplicaSet it owns, else the
     * ReplicaSet, DaemonSet or StatefulSet; {@code null} for a standalone pod or another kind of owner.
     */
    public static Workload topLevel(KubernetesClient client, Pod pod) {
        OwnerReference o = controller(pod);
        if (o == null || !REPLICA_SET.equals(o.getKind())) {
            return replicated(client, pod);
        }
        ReplicaSet rs = replicaSet(client, o, pod);
        List<OwnerReference> refs = rs.getMetadata().getOwnerReferences();
        OwnerReference d = refs == null ? null
                : refs.stream().filter(r -> DEPLOYMENT.equals(r.getKind())).findFirst().orElse(null);
        if (d == null) {
            return ofReplicaSet(rs);
        }
        String ns = pod.getMetadata().getNamespace();
        Deployment dep = client.apps().deployments().inNamespace(ns).withName(d.getName()).get();
        if (dep == null) {
            throw ActionStop.failure("Deployment " + d.getName() + ", owner of ReplicaSet " + o.getName()
                    + ", not found in namespace " + ns);
        }
        Workload w = ofReplicaSet(rs);
        return new Workload(DEPLOYMENT, d.getName(), dep.getSpec().getSelector(), w.desired(), w.ready());
    }

    private static ReplicaSet replicaSet(KubernetesClient client, OwnerReference o, Pod pod) {
        return require(client.apps().replicaSets().inNamespace(pod.getMetadata().getNamespace())
                .withName(o.getName()).get(), o, pod);
    }

    private static Workload ofReplicaSet(ReplicaSet rs) {
        return new Workload(REPLICA_SET, rs.getMetadata().getName(), rs.getSpec().getSelector(),
                orDefault(rs.getSpec().getReplicas(), 1),
                orDefault(rs.getStatus() == null ? null : rs.getStatus().getReadyReplicas(), 0));
    }

    private static <T> T require(T owner, OwnerReference o, Pod pod) {
        if (owner == null) {
            throw ActionStop.failure(o.getKind() + " " + o.getName() + ", owner of pod " + KubernetesTarget.ref(pod)
                    + ", not found");
        }
        return owner;
    }

    private static int orDefault(Integer v, int d) {
        return v == null ? d : v;
    }
}
