package org.falcosecurity.talon.kubernetes;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.falcosecurity.talon.contract.ActionStop;
import org.falcosecurity.talon.contract.TalonHeaders;
import org.falcosecurity.talon.rules.Event;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The first step of every pod actionner: Talon may act on a cluster, the event names a pod and its namespace, the
 * pod exists, the event could come from it ({@link EventProvenance}) and, for the actionners that change or remove
 * things ({@code protect}), it is not a protected object ({@link ProtectedObjects}). Routes keep the pod in the
 * exchange property {@value #POD_PROPERTY}.
 *
 * <p>The pod name comes from {@code k8s.pod.name}, else (Kubernetes audit events) {@code ka.target.pod.name} or
 * {@code ka.target.name}; the namespace from {@code k8s.ns.name}, else {@code ka.target.namespace}.
 */
public final class KubernetesTarget {

    public static final String POD_PROPERTY = "TalonKubernetesPod";
    /** Set by the route template from its {@code protect} parameter. */
    public static final String PROTECT_PROPERTY = "TalonKubernetesProtect";
    public static final String POD_FIELDS = "k8s.pod.name (or ka.target.pod.name / ka.target.name)";
    public static final String NAMESPACE_FIELDS = "k8s.ns.name (or ka.target.namespace)";
    /** What Falco writes for a field it has no value for. */
    public static final String NOT_AVAILABLE = "<NA>";

    private final ClusterAccess cluster;
    private final ProtectedObjects protectedObjects;
    private final EventProvenance provenance;

    public KubernetesTarget(ClusterAccess cluster, ProtectedObjects protectedObjects, EventProvenance provenance) {
        this.cluster = cluster;
        this.protectedObjects = protectedObjects;
        this.provenance = provenance;
    }

    /**
     * The pod the event names; a failure when a field is missing or the pod does not exist; {@code ignored} when the
     * event cannot come from it or ({@code protect}) it is protected.
     */
    public Pod pod(@Body Event event, @Header(TalonHeaders.ACTIONNER) String actionner,
                   @ExchangeProperty(PROTECT_PROPERTY) boolean protect) {
        Pod p = find(event);
        if (p == null) {
            throw ActionStop.failure("pod " + podName(event) + " not found in namespace " + namespace(event));
        }
        return checked(event, p, actionner, protect);
    }

    /** Like {@link #pod}, and {@code ignored} when the pod no longer exists (it is already gone: nothing to do). */
    public Pod podUnlessGone(@Body Event event, @Header(TalonHeaders.ACTIONNER) String actionner,
                             @ExchangeProperty(PROTECT_PROPERTY) boolean protect) {
        Pod p = find(event);
        if (p == null) {
            throw ActionStop.ignored("pod " + namespace(event) + "/" + podName(event) + " not found: already gone");
        }
        return checked(event, p, actionner, protect);
    }

    /**
     * For actionners that find their target themselves ({@code kubernetes:delete}, which checks the protected objects
     * itself): only checks that a cluster is configured.
     */
    public Pod none(@Body Event event) {
        cluster.client();
        return null;
    }

    private Pod checked(Event event, Pod pod, String actionner, boolean protect) {
        provenance.check(event, pod);
        if (protect) {
            protectedObjects.check(actionner, pod);
        }
        return pod;
    }

    private Pod find(Event event) {
        var client = cluster.client();
        String name = podName(event);
        String ns = namespace(event);
        return client.pods().inNamespace(ns).withName(name).get();
    }

    /** The pod name the event gives; a failure naming the fields when it gives none. */
    public static String podName(Event event) {
        String name = field(event, "k8s.pod.name", "ka.target.pod.name");
        if (name == null) {
            String resource = field(event, "ka.target.resource");
            String target = field(event, "ka.target.name");
            if (target != null && resource != null && !resource.equals("pods")) {
                throw ActionStop.failure("the event targets " + resource + " '" + target + "', not a pod: "
                        + "missing field " + POD_FIELDS);
            }
            name = target;
        }
        if (name == null) {
            throw ActionStop.failure("the event has no pod name: missing field " + POD_FIELDS);
        }
        return name;
    }

    /** The namespace the event gives; a failure naming the fields when it gives none. */
    public static String namespace(Event event) {
        String ns = field(event, "k8s.ns.name", "ka.target.namespace");
        if (ns == null) {
            throw ActionStop.failure("the event has no namespace: missing field " + NAMESPACE_FIELDS);
        }
        return ns;
    }

    /**
     * The first of these output fields that has a value. Falco writes {@code <NA>} for a field it could not fill
     * (a process outside any pod has {@code k8s.pod.name=<NA>}): that is no value either.
     */
    public static String field(Event event, String... names) {
        for (String n : names) {
            String v = event.field(n);
            if (v != null && !v.isEmpty() && !NOT_AVAILABLE.equals(v)) {
                return v;
            }
        }
        return null;
    }

    /** The node the pod runs on; a failure when it is not scheduled or the node does not exist. */
    public static Node node(KubernetesClient client, Pod pod) {
        String name = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (name == null || name.isEmpty()) {
            throw ActionStop.failure("pod " + ref(pod) + " is not scheduled on a node (spec.nodeName is empty)");
        }
        Node node = client.nodes().withName(name).get();
        if (node == null) {
            throw ActionStop.failure("node " + name + " (of pod " + ref(pod) + ") not found");
        }
        return node;
    }

    /** The objects of a result about a pod: pod and namespace. */
    public static Map<String, String> objects(Pod pod) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("pod", pod.getMetadata().getName());
        m.put("namespace", pod.getMetadata().getNamespace());
        return m;
    }

    public static String ref(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }
}
