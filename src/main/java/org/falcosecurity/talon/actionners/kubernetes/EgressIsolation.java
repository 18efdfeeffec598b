package org.falcosecurity.talon.actionners.kubernetes;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.falcosecurity.talon.catalog.ActionnerSpec;
import org.falcosecurity.talon.catalog.Checks;
import org.falcosecurity.talon.catalog.ParamSpec;
import org.falcosecurity.talon.catalog.Permission;
import org.falcosecurity.talon.contract.ActionStop;
import org.falcosecurity.talon.contract.Outcome;
import org.falcosecurity.talon.kubernetes.ClusterAccess;
import org.falcosecurity.talon.kubernetes.KubernetesTarget;
import org.falcosecurity.talon.kubernetes.Workloads;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.falcosecurity.talon.actionners.kubernetes.KubernetesDeclarations.*;

/**
 * {@code kubernetes:networkpolicy}: a NetworkPolicy that denies all egress of the pod's workload, except to the
 * {@code allow} / {@code allow_cidr} CIDRs and the {@code allow_namespaces} namespaces.
 *
 * <p>The policy selects the pods of the workload: the Deployment's selector for a pod of a Deployment, else the
 * selector of its ReplicaSet, DaemonSet or StatefulSet, else (a standalone pod, or another owner) the pod's own
 * labels. It is named {@code falco-talon-<workload>} and labelled {@code app.kubernetes.io/managed-by: falco-talon};
 * an existing policy of that name is updated (the latest action defines the allowed destinations), unless Talon
 * does not manage it. Namespaces are matched on their {@code kubernetes.io/metadata.name} label, which the API server
 * sets on every namespace.
 */
public final class EgressIsolation {

    /** {@code kubernetes:networkpolicy}. */
    public static final ActionnerSpec SPEC = ActionnerSpec.builder("kubernetes:networkpolicy")
            .description("Deny all egress of the pod's workload, except allowed CIDRs and namespaces")
            .requiredFields(POD_FIELDS)
            .param(ParamSpec.of("allow_cidr", ParamSpec.Type.STRING_LIST).withCheck(Checks.CIDRS)
                    .describedAs("CIDRs still reachable (`10.0.0.0/8`, `fd00::/8`)"))
            .param(ParamSpec.of("allow", ParamSpec.Type.STRING_LIST).withCheck(Checks.CIDRS)
                    .describedAs("The same as allow_cidr (the original name); both lists are merged"))
            .param(ParamSpec.of("allow_namespaces", ParamSpec.Type.STRING_LIST).withCheck(Checks.NAMESPACES)
                    .describedAs("Namespaces whose pods are still reachable"))
            .reversible()
            .permissions("networkpolicy", concat(GET_POD,
                    Permission.of("apps", "replicasets", "the pod's workload and its selector", "get"),
                    Permission.of("apps", "statefulsets", "the pod's workload and its selector", "get"),
                    Permission.of("apps", "daemonsets", "the pod's workload and its selector", "get"),
                    Permission.of("apps", "deployments", "the pod's workload and its selector", "get"),
                    Permission.of("networking.k8s.io", "networkpolicies", "falco-talon-<workload>; with a ttl, list"
                            + " the pending reverts and delete the policy", "get", "list", "create", "patch",
                            "delete")))
            .example("""
                    - action: Disable outbound connections
                      actionner: kubernetes:networkpolicy
                      parameters:
                        allow_cidr:
                          - "10.0.0.0/8"
                        allow_namespaces:
                          - kube-system
                    """)
            .build();

    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String TALON = "falco-talon";
    static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
    private static final Set<String> POD_SPECIFIC_LABELS = Set.of("pod-template-hash", "controller-revision-hash",
            "statefulset.kubernetes.io/pod-name", "pod-template-generation", "apps.kubernetes.io/pod-index");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ClusterAccess cluster;
    private final Reverts reverts;

    public EgressIsolation(ClusterAccess cluster, Reverts reverts) {
        this.cluster = cluster;
        this.reverts = reverts;
    }

    /**
     * Creates or updates the policy; with a ttl, the policy records that it is to be deleted when the ttl ends (the
     * latest ttl of the actions that set it), and an action without ttl makes it permanent.
     */
    public Outcome isolate(@ExchangeProperty(KubernetesTarget.POD_PROPERTY) Pod pod,
                           @Header("TalonParameters") Map<String, Object> params, Message message) {
        PendingReverts.Request ttl = PendingReverts.Request.of(message);
        KubernetesClient client = cluster.client();
        String ns = pod.getMetadata().getNamespace();
        Workloads.Workload w = Workloads.topLevel(client, pod);
        String workload;
        LabelSelector selector;
        if (w != null && w.selector() != null) {
            workload = w.ref();
            selector = w.selector();
        } else {
            workload = "pod " + pod.getMetadata().getName();
            selector = podSelector(pod);
        }
        String name = policyName(w != null && w.selector() != null ? w.name() : pod.getMetadata().getName());

        NetworkPolicySpec spec = spec(selector, params);
        Resource<NetworkPolicy> r = client.network().v1().networkPolicies().inNamespace(ns).withName(name);
        NetworkPolicy existing = r.get();
        String verb;
        PendingReverts.Entry revert = ttl == null ? null : ttl.entry(PendingReverts.DELETE_POLICY, Map.of(),
                Map.of());
        if (existing == null) {
            NetworkPolicy created = new NetworkPolicyBuilder()
                    .withNewMetadata().withName(name).withNamespace(ns).addToLabels(MANAGED_BY, TALON).endMetadata()
                    .withSpec(spec).build();
            if (revert != null) {
                created.getMetadata().setAnnotations(new LinkedHashMap<>(Map.of(PendingReverts.KEY,
                        PendingReverts.write(List.of(revert)))));
                created.getMetadata().getLabels().put(PendingReverts.KEY, PendingReverts.PENDING);
            }
            r.create(created);
            verb = "created";
        } else {
            Map<String, String> labels = existing.getMetadata().getLabels();
            if (labels == null || !TALON.equals(labels.get(MANAGED_BY))) {
                throw ActionStop.failure("NetworkPolicy " + ns + "/" + name + " exists and is not managed by Falco"
                        + " Talon (no label " + MANAGED_BY + "=" + TALON + "): not changing it");
            }
            List<PendingReverts.Entry> pending = PendingReverts.read(existing);
            boolean revertsChange = revert != null || pending.stream()
                    .anyMatch(e -> PendingReverts.DELETE_POLICY.equals(e.kind()));
            if (spec.equals(existing.getSpec()) && !revertsChange) {
                verb = "already in place";
            } else {
                ArrayNode ops = JSON.createArrayNode();
                if (!spec.equals(existing.getSpec())) {
                    ops.addObject().put("op", "replace").put("path", "/spec").set("value", JSON.valueToTree(spec));
                }
                PendingReverts.patchOps(ops, existing, PendingReverts.addWhole(pending, PendingReverts.DELETE_POLICY,
                        revert));
                r.patch(PatchContext.of(PatchType.JSON), ops.toString());
                verb = spec.equals(existing.getSpec()) ? "already in place" : "updated";
            }
        }
        Map<String, String> objects = KubernetesTarget.objects(pod);
        objects.put("networkpolicy", name);
        String until = "";
        if (revert != null) {
            reverts.scheduleAt(revert.expiry());
            until = "; deleted at " + revert.expires();
        }
        return new Outcome("NetworkPolicy " + ns + "/" + name + " " + verb + ": egress of " + workload
                + " denied except to " + describeAllowed(spec) + until, objects);
    }

    static NetworkPolicySpec spec(LabelSelector selector, Map<String, Object> params) {
        List<NetworkPolicyPeer> peers = new ArrayList<>();
        Set<String> cidrs = new LinkedHashSet<>();
        cidrs.addAll(strings(params.get("allow")));
        cidrs.addAll(strings(params.get("allow_cidr")));
        for (String c : cidrs) {
            peers.add(new NetworkPolicyPeerBuilder().withNewIpBlock().withCidr(c.trim()).endIpBlock().build());
        }
        for (String n : new LinkedHashSet<>(strings(params.get("allow_namespaces")))) {
            peers.add(new NetworkPolicyPeerBuilder().withNamespaceSelector(new LabelSelectorBuilder()
                    .addToMatchLabels(NAMESPACE_NAME_LABEL, n).build()).build());
        }
        List<NetworkPolicyEgressRule> egress = peers.isEmpty() ? List.of()
                : List.of(new NetworkPolicyEgressRuleBuilder().withTo(peers).build());
        NetworkPolicySpec spec = new NetworkPolicySpec();
        spec.setPodSelector(selector);
        spec.setPolicyTypes(List.of("Egress"));
        spec.setEgress(new ArrayList<>(egress));
        spec.setIngress(new ArrayList<>());
        return spec;
    }

    /** The pod's own labels, without those that differ from one pod of a workload to the next. */
    private static LabelSelector podSelector(Pod pod) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (pod.getMetadata().getLabels() != null) {
            labels.putAll(pod.getMetadata().getLabels());
        }
        labels.keySet().removeAll(POD_SPECIFIC_LABELS);
        if (labels.isEmpty()) {
            throw ActionStop.failure("pod " + KubernetesTarget.ref(pod) + " has no owner and no labels: a"
                    + " NetworkPolicy cannot select it without selecting every pod of the namespace");
        }
        return new LabelSelectorBuilder().withMatchLabels(labels).build();
    }

    /** {@code falco-talon-<workload>}, within the 253 characters of an object name. */
    static String policyName(String workload) {
        String n = TALON + "-" + workload;
        if (n.length() > 253) {
            n = n.substring(0, 253).replaceAll("[-.]+$", "");
        }
        return n;
    }

    private static String describeAllowed(NetworkPolicySpec spec) {
        if (spec.getEgress().isEmpty()) {
            return "nothing (all egress denied)";
        }
        List<String> out = new ArrayList<>();
        for (NetworkPolicyPeer p : spec.getEgress().get(0).getTo()) {
            out.add(p.getIpBlock() != null ? p.getIpBlock().getCidr()
                    : "namespace " + p.getNamespaceSelector().getMatchLabels().get(NAMESPACE_NAME_LABEL));
        }
        return String.join(", ", out);
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object v) {
        return v == null ? List.of() : (List<String>) v;
    }
}
