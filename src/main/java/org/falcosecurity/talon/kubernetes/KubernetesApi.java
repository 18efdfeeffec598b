package org.falcosecurity.talon.kubernetes;

import java.util.List;

/**
 * Every Kubernetes API call the built-in actionners (and the k8sevents notifier) make, as RBAC sees it (API group, resource, verb), with the
 * actionners that need it. The ClusterRole in {@code kubernetes/rbac.yaml} grants exactly these; a test compares
 * the two and checks that the calls the actionners make against the API simulator are all in this list.
 */
public enum KubernetesApi {

    GET_POD("", "pods", "get", "every actionner except kubernetes:delete (reads the target pod)",
            "kubernetes:drain (waits for evicted pods to be gone)"),
    DELETE_POD("", "pods", "delete", "kubernetes:terminate"),
    PATCH_POD("", "pods", "patch", "kubernetes:label", "kubernetes:labelize", "kubernetes:annotation"),
    LIST_PODS("", "pods", "list", "kubernetes:drain (the pods of the node)",
            "kubernetes:exec, kubernetes:script, kubernetes:log (the client checks the pod is ready first)"),
    WATCH_PODS("", "pods", "watch",
            "kubernetes:exec, kubernetes:script, kubernetes:log (the same check, when the pod is not ready)"),
    // exec opens a WebSocket with GET; API servers from 1.30 on (WebSocket exec) also check "create"
    EXEC_POD_CREATE("", "pods/exec", "create", "kubernetes:exec", "kubernetes:script"),
    EXEC_POD_GET("", "pods/exec", "get", "kubernetes:exec", "kubernetes:script"),
    GET_POD_LOG("", "pods/log", "get", "kubernetes:log"),
    EVICT_POD("", "pods/eviction", "create", "kubernetes:drain"),
    GET_NODE("", "nodes", "get", "kubernetes:label / labelize / annotation (level: node)", "kubernetes:cordon",
            "kubernetes:drain"),
    PATCH_NODE("", "nodes", "patch", "kubernetes:label / labelize / annotation (level: node)", "kubernetes:cordon",
            "kubernetes:drain"),
    GET_REPLICASET("apps", "replicasets", "get", "kubernetes:terminate and kubernetes:drain (min_healthy_replicas)",
            "kubernetes:networkpolicy (the pod's workload)"),
    GET_DEPLOYMENT("apps", "deployments", "get", "kubernetes:networkpolicy (the pod's workload)"),
    GET_DAEMONSET("apps", "daemonsets", "get", "kubernetes:terminate and kubernetes:drain (min_healthy_replicas)",
            "kubernetes:networkpolicy (the pod's workload)"),
    GET_STATEFULSET("apps", "statefulsets", "get",
            "kubernetes:terminate and kubernetes:drain (min_healthy_replicas)",
            "kubernetes:networkpolicy (the pod's workload)"),
    GET_NETWORKPOLICY("networking.k8s.io", "networkpolicies", "get", "kubernetes:networkpolicy"),
    CREATE_NETWORKPOLICY("networking.k8s.io", "networkpolicies", "create", "kubernetes:networkpolicy"),
    PATCH_NETWORKPOLICY("networking.k8s.io", "networkpolicies", "patch", "kubernetes:networkpolicy"),
    DELETE_NAMESPACE("", "namespaces", "delete", "kubernetes:delete"),
    DELETE_CONFIGMAP("", "configmaps", "delete", "kubernetes:delete"),
    DELETE_SECRET("", "secrets", "delete", "kubernetes:delete"),
    DELETE_SERVICE("", "services", "delete", "kubernetes:delete"),
    DELETE_SERVICEACCOUNT("", "serviceaccounts", "delete", "kubernetes:delete"),
    DELETE_DEPLOYMENT("apps", "deployments", "delete", "kubernetes:delete"),
    DELETE_DAEMONSET("apps", "daemonsets", "delete", "kubernetes:delete"),
    DELETE_STATEFULSET("apps", "statefulsets", "delete", "kubernetes:delete"),
    DELETE_REPLICASET("apps", "replicasets", "delete", "kubernetes:delete"),
    DELETE_ROLE("rbac.authorization.k8s.io", "roles", "delete", "kubernetes:delete"),
    DELETE_CLUSTERROLE("rbac.authorization.k8s.io", "clusterroles", "delete", "kubernetes:delete"),
    CREATE_EVENT("events.k8s.io", "events", "create", "k8sevents (the notifier)");

    private final String group;
    private final String resource;
    private final String verb;
    private final List<String> neededBy;

    KubernetesApi(String group, String resource, String verb, String... neededBy) {
        this.group = group;
        this.resource = resource;
        this.verb = verb;
        this.neededBy = List.of(neededBy);
    }

    /** The API group; empty for the core group. */
    public String group() {
        return group;
    }

    /** The resource, with its subresource when there is one ({@code pods/exec}). */
    public String resource() {
        return resource;
    }

    public String verb() {
        return verb;
    }

    public List<String> neededBy() {
        return neededBy;
    }

    /** The permission as {@code group/resource:verb} (core group: {@code /pods:get}). */
    public String permission() {
        return group + "/" + resource + ":" + verb;
    }
}
