package org.falcosecurity.talon.actionners.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.StatusDetails;
import io.fabric8.kubernetes.client.dsl.PodResource;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.falcosecurity.talon.catalog.ActionnerSpec;
import org.falcosecurity.talon.catalog.Checks;
import org.falcosecurity.talon.catalog.ParamSpec;
import org.falcosecurity.talon.catalog.Permission;
import org.falcosecurity.talon.contract.ActionStop;
import org.falcosecurity.talon.contract.Outcome;
import org.falcosecurity.talon.kubernetes.ClusterAccess;
import org.falcosecurity.talon.kubernetes.KubernetesTarget;
import org.falcosecurity.talon.kubernetes.Workloads;

import java.util.List;
import java.util.Map;

import static org.falcosecurity.talon.actionners.kubernetes.KubernetesDeclarations.*;

/**
 * {@code kubernetes:terminate}: the skip rules ({@code ignore_daemonsets}, {@code ignore_statefulsets},
 * {@code ignore_standalone_pods}, {@code min_healthy_replicas}), then the pod's deletion with the optional
 * {@code grace_period_seconds}. camel-kubernetes' {@code deletePod} has no grace period, hence the fabric8 call.
 */
public final class PodTermination {

    /** {@code kubernetes:terminate}. */
    public static final ActionnerSpec SPEC = ActionnerSpec.builder("kubernetes:terminate")
            .description("Terminate the pod")
            .source("syscalls")
            .defaultContinue(false)
            .requiredFields(POD_FIELDS)
            .param(ParamSpec.of("grace_period_seconds", ParamSpec.Type.INTEGER).withCheck(Checks.NON_NEGATIVE)
                    .describedAs("Seconds the pod gets to stop (default: the pod's own); `0` deletes it at once"))
            .param(IGNORE_DAEMONSETS)
            .param(IGNORE_STATEFULSETS)
            .param(ParamSpec.of("ignore_standalone_pods", ParamSpec.Type.BOOLEAN)
                    .describedAs("Leave a pod that has no owner alone (`ignored`)"))
            .param(MIN_HEALTHY_REPLICAS)
            .permissions("terminate", concat(Permission.of("", "pods", "read, then delete the pod", "get", "delete"),
                    GET_OWNERS, GET_OTHER_OWNERS))
            .example("""
                    - action: Terminate the pod
                      actionner: kubernetes:terminate
                      parameters:
                        grace_period_seconds: 5
                        ignore_daemonsets: true
                        ignore_statefulsets: true
                        min_healthy_replicas: "33%"
                    """)
            .build();

    private final ClusterAccess cluster;

    public PodTermination(ClusterAccess cluster) {
        this.cluster = cluster;
    }

    /** Ends the action as {@code ignored}, with the reason, when a skip rule applies to the pod. */
    public void check(@ExchangeProperty(KubernetesTarget.POD_PROPERTY) Pod pod,
                      @Header("TalonParameters") Map<String, Object> params) {
        String ref = KubernetesTarget.ref(pod);
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            throw ActionStop.ignored("pod " + ref + " is already being terminated (since "
                    + pod.getMetadata().getDeletionTimestamp() + ")");
        }
        String kind = Workloads.controllerKind(pod);
        if (Workloads.DAEMON_SET.equals(kind) && flag(params, "ignore_daemonsets")) {
            throw ActionStop.ignored("pod " + ref + " not terminated: it belongs to DaemonSet "
                    + Workloads.controller(pod).getName() + " and ignore_daemonsets is true");
        }
        if (Workloads.STATEFUL_SET.equals(kind) && flag(params, "ignore_statefulsets")) {
            throw ActionStop.ignored("pod " + ref + " not terminated: it belongs to StatefulSet "
                    + Workloads.controller(pod).getName() + " and ignore_statefulsets is true");
        }
        if (kind == null && flag(params, "ignore_standalone_pods")) {
            throw ActionStop.ignored("pod " + ref + " not terminated: it is a standalone pod (no owner) and"
                    + " ignore_standalone_pods is true");
        }
        MinHealthyReplicas min = MinHealthyReplicas.parse(params.get("min_healthy_replicas"));
        if (min != null) {
            Workloads.Workload w = Workloads.replicated(cluster.client(), pod);
            String blocked = w == null ? null : min.blocks(w);
            if (blocked != null) {
                throw ActionStop.ignored("pod " + ref + " not terminated: " + blocked);
            }
        }
    }

    /** Deletes the pod, unless a skip rule applies ({@link #check}); {@code ignored} when it is already gone. */
    public Outcome terminate(@ExchangeProperty(KubernetesTarget.POD_PROPERTY) Pod pod,
                             @Header("TalonParameters") Map<String, Object> params) {
        check(pod, params);
        PodResource r = cluster.client().pods().inNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName());
        Object grace = params.get("grace_period_seconds");
        List<StatusDetails> deleted = grace == null ? r.delete()
                : r.withGracePeriod(((Number) grace).longValue()).delete();
        if (deleted.isEmpty()) {
            throw ActionStop.ignored("pod " + KubernetesTarget.ref(pod) + " not found: already gone");
        }
        return new Outcome("pod " + KubernetesTarget.ref(pod) + " terminated ("
                + (grace == null ? "the pod's own grace period" : "grace period " + grace + " s") + ")",
                KubernetesTarget.objects(pod));
    }

    static boolean flag(Map<String, Object> params, String name) {
        return Boolean.TRUE.equals(params.get(name));
    }
}
