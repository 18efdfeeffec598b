package org.falcosecurity.talon.actionners.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.StatusDetails;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.apache.camel.Body;
import org.falcosecurity.talon.catalog.ActionnerSpec;
import org.falcosecurity.talon.catalog.Checks;
import org.falcosecurity.talon.catalog.ParamSpec;
import org.falcosecurity.talon.catalog.Permission;
import org.falcosecurity.talon.contract.ActionStop;
import org.falcosecurity.talon.contract.Outcome;
import org.falcosecurity.talon.kubernetes.ClusterAccess;
import org.falcosecurity.talon.kubernetes.KubernetesTarget;
import org.falcosecurity.talon.kubernetes.ProtectedObjects;
import org.falcosecurity.talon.rules.Event;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.falcosecurity.talon.actionners.kubernetes.KubernetesDeclarations.*;

/**
 * {@code kubernetes:delete}: deletes the object a Kubernetes audit event names ({@code ka.target.resource},
 * {@code ka.target.name}, and {@code ka.target.namespace} for namespaced kinds), for a closed list of kinds.
 * An object already gone is {@code ignored}. It reads the object first and never deletes a protected one
 * ({@link ProtectedObjects}: the namespaces Kubernetes needs, {@code default}, Talon's own namespace and what is in
 * it, {@code cluster-admin}, {@code admin}, {@code edit}, {@code view}, {@code system:*}, the ClusterRole granted to
 * Talon's service account, {@code protected.*}): that is {@code ignored} with the reason.
 */
public final class ObjectDeletion {

    private static final String WHY_DELETE = "read (is it protected?), then delete the object the audit event names";

    /** {@code kubernetes:delete}. */
    public static final ActionnerSpec SPEC = ActionnerSpec.builder("kubernetes:delete")
            .description("Delete the Kubernetes object a Kubernetes audit event names")
            .source("k8saudit")
            .defaultContinue(false)
            .requiredFields("ka.target.resource", "ka.target.name", "ka.target.namespace (namespaced kinds)")
            .permissions("delete", concat(
                    Permission.of("", "namespaces", WHY_DELETE, "get", "delete"),
                    Permission.of("", "configmaps", WHY_DELETE, "get", "delete"),
                    Permission.of("", "secrets", WHY_DELETE, "get", "delete"),
                    Permission.of("", "services", WHY_DELETE, "get", "delete"),
                    Permission.of("", "serviceaccounts", WHY_DELETE, "get", "delete"),
                    Permission.of("apps", "deployments", WHY_DELETE, "get", "delete"),
                    Permission.of("apps", "daemonsets", WHY_DELETE, "get", "delete"),
                    Permission.of("apps", "statefulsets", WHY_DELETE, "get", "delete"),
                    Permission.of("apps", "replicasets", WHY_DELETE, "get", "delete"),
                    Permission.of("rbac.authorization.k8s.io", "roles", WHY_DELETE, "get", "delete"),
                    Permission.of("rbac.authorization.k8s.io", "clusterroles", WHY_DELETE, "get", "delete"),
                    Permission.of("rbac.authorization.k8s.io", "clusterrolebindings",
                            "never delete the ClusterRole granted to Talon itself", "list")))
            .example("""
                    - action: Delete the namespace
                      actionner: kubernetes:delete
                    """)
            .build();

    /** The kinds it deletes: the audit event's resource (plural, as {@code ka.target.resource} gives it). */
    enum Kind {
        NAMESPACE("namespaces", Namespace.class, false),
        CONFIGMAP("configmaps", ConfigMap.class, true),
        SECRET("secrets", Secret.class, true),
        SERVICE("services", Service.class, true),
        SERVICEACCOUNT("serviceaccounts", ServiceAccount.class, true),
        DEPLOYMENT("deployments", Deployment.class, true),
        DAEMONSET("daemonsets", DaemonSet.class, true),
        STATEFULSET("statefulsets", StatefulSet.class, true),
        REPLICASET("replicasets", ReplicaSet.class, true),
        ROLE("roles", Role.class, true),
        CLUSTERROLE("clusterroles", ClusterRole.class, false);

        final String resource;
        final Class<? extends HasMetadata> type;
        final boolean namespaced;

        Kind(String resource, Class<? extends HasMetadata> type, boolean namespaced) {
            this.resource = resource;
            this.type = type;
            this.namespaced = namespaced;
        }

        /** The singular name used as the key of the result's objects ({@code configmap}). */
        String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The kind for {@code ka.target.resource}: the plural resource, or the singular name. */
        static Kind of(String resource) {
            String r = resource.toLowerCase(Locale.ROOT);
            for (Kind k : values()) {
                if (k.resource.equals(r) || k.key().equals(r)) {
                    return k;
                }
            }
            return null;
        }
    }

    static final String RESOURCE_FIELD = "ka.target.resource";
    static final String NAME_FIELD = "ka.target.name";
    static final String NAMESPACE_FIELD = "ka.target.namespace";

    private final ClusterAccess cluster;
    private final ProtectedObjects protectedObjects;

    public ObjectDeletion(ClusterAccess cluster, ProtectedObjects protectedObjects) {
        this.cluster = cluster;
        this.protectedObjects = protectedObjects;
    }

    public Outcome delete(@Body Event event) {
        KubernetesClient client = cluster.client();
        String resource = require(event, RESOURCE_FIELD, "resource");
        Kind kind = Kind.of(resource);
        if (kind == null) {
            throw ActionStop.failure("kubernetes:delete does not delete " + resource + " (it deletes: "
                    + String.join(", ", Arrays.stream(Kind.values()).map(k -> k.resource).toList()) + ")");
        }
        String name = require(event, NAME_FIELD, "object name");
        String ns = kind.namespaced ? KubernetesTarget.field(event, NAMESPACE_FIELD, "k8s.ns.name") : null;
        if (kind.namespaced && ns == null) {
            throw ActionStop.failure("the event has no namespace for " + resource + " '" + name
                    + "': missing field " + NAMESPACE_FIELD);
        }
        String ref = (ns == null ? "" : ns + "/") + name;
        var target = kind.namespaced ? client.resources(kind.type).inNamespace(ns).withName(name)
                : client.resources(kind.type).withName(name);
        HasMetadata object = target.get();
        if (object == null) {
            throw ActionStop.ignored(kind.key() + " " + ref + " not found: already gone");
        }
        if (kind == Kind.CLUSTERROLE) {
            protectedObjects.checkClusterRole(SPEC.name(), client, object);
        } else {
            protectedObjects.check(SPEC.name(), object);
        }
        List<StatusDetails> deleted = target.delete();
        if (deleted.isEmpty()) {
            throw ActionStop.ignored(kind.key() + " " + ref + " not found: already gone");
        }
        Map<String, String> objects = new LinkedHashMap<>();
        // the dispatcher's default "pod" (taken from ka.target.name) is not a pod here: an empty value removes it
        objects.put("pod", "");
        if (ns != null) {
            objects.put("namespace", ns);
        }
        objects.put(kind.key(), name);
        return new Outcome(kind.key() + " " + ref + " deleted", objects);
    }

    private static String require(Event event, String field, String what) {
        String v = KubernetesTarget.field(event, field);
        if (v == null) {
            throw ActionStop.failure("the event has no " + what + ": missing field " + field
                    + " (kubernetes:delete acts on Kubernetes audit events)");
        }
        return v;
    }
}
