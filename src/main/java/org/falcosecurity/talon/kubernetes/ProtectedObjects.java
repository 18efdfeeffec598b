package org.falcosecurity.talon.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.falcosecurity.talon.config.LabelSelector;
import org.falcosecurity.talon.config.Settings;
import org.falcosecurity.talon.contract.ActionStop;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What Talon never acts on, whatever an event says: the objects a forged event could use to take the cluster's keys
 * away or to turn Talon off. {@code kubernetes:delete}, {@code terminate}, {@code drain}, {@code cordon},
 * {@code networkpolicy}, {@code label} and {@code annotation} refuse:
 * <ul>
 *   <li>anything in the namespaces {@code kube-system}, {@code kube-public}, {@code kube-node-lease}, Talon's own
 *       (its pods, service account, Secret, ConfigMap) and {@code protected.namespaces}; those namespaces themselves
 *       (and {@code default}) are never deleted;</li>
 *   <li>the ClusterRoles and ClusterRoleBindings {@code cluster-admin}, {@code admin}, {@code edit}, {@code view} and
 *       {@code system:*}, and Talon's own: every ClusterRoleBinding whose subject is Talon's service account, and the
 *       ClusterRole it grants;</li>
 *   <li>objects named in {@code protected.names} ({@code name}, or {@code namespace/name}) or matching a selector of
 *       {@code protected.labels}, pods and nodes included.</li>
 * </ul>
 * A refusal is {@link ActionStop#ignored} with the reason ({@code protected object: ...}), counted in
 * {@code falco_talon_protected_refusals_total{actionner}}.
 */
public final class ProtectedObjects {

    /** Namespaces Kubernetes needs. */
    public static final Set<String> SYSTEM_NAMESPACES = Set.of("kube-system", "kube-public", "kube-node-lease");
    /** Namespaces never deleted, beside the protected ones. */
    static final Set<String> UNDELETABLE_NAMESPACES = Set.of("default");
    /** The ClusterRoles (and their bindings) Kubernetes creates for its users, beside {@code system:*}. */
    public static final Set<String> BUILTIN_ROLES = Set.of("cluster-admin", "admin", "edit", "view");

    private final TalonIdentity self;
    private final Set<String> namespaces = new LinkedHashSet<>(SYSTEM_NAMESPACES);
    private final List<String> names;
    private final List<LabelSelector> selectors;
    private final Consumer<String> refused;

    /**
     * @param refused told the actionner of each refusal (the counter)
     */
    public ProtectedObjects(TalonIdentity self, Settings.Protection config, Consumer<String> refused) {
        this.self = self;
        if (self.known()) {
            namespaces.add(self.namespace());
        }
        namespaces.addAll(config.namespaces());
        this.names = List.copyOf(config.names());
        this.selectors = config.labels().stream().map(LabelSelector::parse).toList();
        this.refused = refused;
    }

    /** The protected namespaces, system ones first. */
    public Set<String> namespaces() {
        return Set.copyOf(namespaces);
    }

    /** Refuses ({@code ignored}) when {@code object} — a pod, a node, or what delete targets — is protected. */
    public void check(String actionner, HasMetadata object) {
        String why = reason(object);
        if (why != null) {
            throw refuse(actionner, why);
        }
    }

    /** Why an object is protected, or {@code null} when it is not (namespaced objects by their namespace too). */
    public String reason(HasMetadata object) {
        String kind = object.getKind() == null ? object.getClass().getSimpleName() : object.getKind();
        String name = object.getMetadata().getName();
        String ns = object.getMetadata().getNamespace();
        String ref = kind.toLowerCase(java.util.Locale.ROOT) + " " + (ns == null || ns.isEmpty() ? "" : ns + "/")
                + name;
        if (ns != null && namespaces.contains(ns)) {
            return ref + " is in " + describeNamespace(ns);
        }
        if ("Namespace".equals(kind) && (namespaces.contains(name) || UNDELETABLE_NAMESPACES.contains(name))) {
            return ref + " is " + describeNamespace(name);
        }
        if (("ClusterRole".equals(kind) || "ClusterRoleBinding".equals(kind))
                && (BUILTIN_ROLES.contains(name) || name.startsWith("system:"))) {
            return ref + " is one of Kubernetes' own roles";
        }
        if (self.known() && ("ServiceAccount".equals(kind) || "Pod".equals(kind))
                && self.namespace().equals(ns) && (name.equals(self.serviceAccount()) || name.equals(self.podName()))) {
            return ref + " is Talon itself";
        }
        if ("ClusterRoleBinding".equals(kind) && object instanceof ClusterRoleBinding b && bindsTalon(b)) {
            return ref + " binds Talon's service account";
        }
        for (String n : names) {
            if (n.equals(name) || (ns != null && n.equals(ns + "/" + name))) {
                return ref + " is in protected.names (" + n + ")";
            }
        }
        Map<String, String> labels = object.getMetadata().getLabels();
        for (LabelSelector s : selectors) {
            if (s.matches(labels)) {
                return ref + " matches protected.labels (" + s.text() + ")";
            }
        }
        return null;
    }

    /**
     * For a ClusterRole about to be deleted: refused when a ClusterRoleBinding grants it to Talon's service account
     * (read with {@code list clusterrolebindings}), beside {@link #check}.
     */
    public void checkClusterRole(String actionner, KubernetesClient client, HasMetadata role) {
        check(actionner, role);
        if (!self.known() || self.serviceAccount().isEmpty()) {
            return;
        }
        String name = role.getMetadata().getName();
        for (ClusterRoleBinding b : client.rbac().clusterRoleBindings().list().getItems()) {
            if (b.getRoleRef() != null && "ClusterRole".equals(b.getRoleRef().getKind())
                    && name.equals(b.getRoleRef().getName()) && bindsTalon(b)) {
                throw refuse(actionner, "clusterrole " + name + " is Talon's own (granted by clusterrolebinding "
                        + b.getMetadata().getName() + ")");
            }
        }
    }

    private boolean bindsTalon(ClusterRoleBinding b) {
        if (!self.known() || self.serviceAccount().isEmpty() || b.getSubjects() == null) {
            return false;
        }
        for (Subject s : b.getSubjects()) {
            if ("ServiceAccount".equals(s.getKind()) && self.serviceAccount().equals(s.getName())
                    && self.namespace().equals(s.getNamespace())) {
                return true;
            }
        }
        return false;
    }

    private String describeNamespace(String ns) {
        if (SYSTEM_NAMESPACES.contains(ns)) {
            return "a namespace Kubernetes needs (" + ns + ")";
        }
        if (self.known() && self.namespace().equals(ns)) {
            return "Talon's own namespace (" + ns + ")";
        }
        if (UNDELETABLE_NAMESPACES.contains(ns)) {
            return "the default namespace";
        }
        return "a protected namespace (" + ns + ", protected.namespaces)";
    }

    private ActionStop refuse(String actionner, String why) {
        refused.accept(actionner);
        return ActionStop.refused("protected object: " + why + "; Talon does not act on it", "protected object");
    }
}
