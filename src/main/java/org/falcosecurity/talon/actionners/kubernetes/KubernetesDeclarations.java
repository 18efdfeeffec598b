package org.falcosecurity.talon.actionners.kubernetes;

import org.falcosecurity.talon.catalog.Checks;
import org.falcosecurity.talon.catalog.ParamSpec;
import org.falcosecurity.talon.catalog.Permission;
import org.falcosecurity.talon.kubernetes.KubernetesTarget;

import java.util.List;

import static org.falcosecurity.talon.catalog.ParamSpec.Type.BOOLEAN;
import static org.falcosecurity.talon.catalog.ParamSpec.Type.INTEGER_OR_STRING;
import static org.falcosecurity.talon.catalog.ParamSpec.Type.STRING;

/** What the declarations of the {@code kubernetes:*} actionners share: parameters, fields and permissions. */
final class KubernetesDeclarations {

    /** The fields every pod actionner needs (Kubernetes audit events have fall-backs). */
    static final String[] POD_FIELDS = {KubernetesTarget.POD_FIELDS, KubernetesTarget.NAMESPACE_FIELDS};

    static final ParamSpec LEVEL = ParamSpec.of("level", STRING).withCheck(Checks.oneOf("pod", "node"))
            .withDefault("pod").describedAs("`pod`, or `node` for the node the pod runs on");
    static final ParamSpec CONTAINER = ParamSpec.of("container", STRING).withCheck(Checks.NOT_BLANK)
            .describedAs("The container (default: the one the kubectl.kubernetes.io/default-container annotation"
                    + " names, else the first)");
    static final ParamSpec IGNORE_DAEMONSETS = ParamSpec.of("ignore_daemonsets", BOOLEAN)
            .describedAs("Leave pods of a DaemonSet alone (`ignored`)");
    static final ParamSpec IGNORE_STATEFULSETS = ParamSpec.of("ignore_statefulsets", BOOLEAN)
            .describedAs("Leave pods of a StatefulSet alone (`ignored`)");
    static final ParamSpec MIN_HEALTHY_REPLICAS = ParamSpec.of("min_healthy_replicas", INTEGER_OR_STRING)
            .withCheck(Checks.COUNT_OR_PERCENT)
            .describedAs("Act only while the pod's owner keeps at least this many ready replicas: a count (`3`) or a"
                    + " percentage of its desired replicas (`\"50%\"`, rounded up)");

    static final List<Permission> GET_POD = Permission.of("", "pods", "read the pod the event names", "get");
    static final List<Permission> GET_OWNERS = Permission.of("apps", "replicasets",
            "min_healthy_replicas: the pod's owner", "get");
    static final List<Permission> GET_OTHER_OWNERS = concat(
            Permission.of("apps", "statefulsets", "min_healthy_replicas: the pod's owner", "get"),
            Permission.of("apps", "daemonsets", "min_healthy_replicas: the pod's owner", "get"));
    static final List<Permission> NODES = Permission.of("", "nodes", "read and patch the pod's node", "get",
            "patch");

    /** A reversible actionner with a ttl lists the objects holding pending reverts (label falco-talon/revert). */
    static final List<Permission> REVERT_NODES = Permission.of("", "nodes", "with a ttl, list the pending reverts",
            "list");

    private KubernetesDeclarations() {
    }

    @SafeVarargs
    static List<Permission> concat(List<Permission>... lists) {
        return java.util.Arrays.stream(lists).flatMap(List::stream).toList();
    }
}
