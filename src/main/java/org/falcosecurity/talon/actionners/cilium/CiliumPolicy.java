package org.falcosecurity.talon.actionners.cilium;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import org.falcosecurity.talon.catalog.ActionnerSpec;
import org.falcosecurity.talon.catalog.Permission;
import org.falcosecurity.talon.kubernetes.DenyPolicies;
import org.falcosecurity.talon.kubernetes.PolicyTargets;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.falcosecurity.talon.actionners.kubernetes.KubernetesDeclarations.ALLOW_CIDR;
import static org.falcosecurity.talon.actionners.kubernetes.KubernetesDeclarations.ALLOW_NAMESPACES;
import static org.falcosecurity.talon.actionners.kubernetes.KubernetesDeclarations.GET_POD;
import static org.falcosecurity.talon.actionners.kubernetes.KubernetesDeclarations.POD_AND_REMOTE_IP_FIELDS;
import static org.falcosecurity.talon.actionners.kubernetes.KubernetesDeclarations.WORKLOAD_SELECTORS;
import static org.falcosecurity.talon.actionners.kubernetes.KubernetesDeclarations.concat;

/**
 * {@code cilium:networkpolicy}: a {@code cilium.io/v2} CiliumNetworkPolicy {@code falco-talon-<workload>} whose
 * {@code endpointSelector} is the workload's selector, with {@code egressDeny} to the event's remote IP
 * ({@code <ip>/32}; every IP an event named, kept across updates) and {@code egress} allowing {@code allow_cidr}
 * ({@code toCIDR}) and {@code allow_namespaces} ({@code toEndpoints} whose namespace's
 * {@code kubernetes.io/metadata.name} label is one of them); with neither, everything else ({@code toEntities: [all]}).
 *
 * <p>Cilium gives endpoint selectors a namespace's labels under {@code io.cilium.k8s.namespace.labels.}: the key
 * {@code k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name} matches the label the API server sets on
 * every namespace (upstream Falco Talon writes {@code k8s.io/metadata.name}, a label no namespace has, so its
 * {@code allow_namespaces} allowed nothing). Allowing "everything else" is {@code toEntities: [all]}, not upstream's
 * {@code toCIDR: 0.0.0.0/0}, which Cilium reads as the world outside the cluster: it would also cut DNS and every
 * in-cluster destination.
 */
public final class CiliumPolicy extends DenyPolicies.Actionner {

    /** The namespace label as a Cilium endpoint selector sees it. */
    static final String NAMESPACE_KEY = "k8s:io.cilium.k8s.namespace.labels." + PolicyTargets.NAMESPACE_NAME_LABEL;
    static final String DESCRIPTION = "Network policy created by Falco Talon";

    /** {@code cilium:networkpolicy}. */
    public static final ActionnerSpec SPEC = ActionnerSpec.builder("cilium:networkpolicy")
            .description("Deny the pod's workload egress to the event's remote IP with a CiliumNetworkPolicy")
            .source("syscalls")
            .requiredFields(POD_AND_REMOTE_IP_FIELDS)
            .param(ALLOW_CIDR)
            .param(ALLOW_NAMESPACES)
            .permissions("cilium", concat(GET_POD, WORKLOAD_SELECTORS, Permission.of("cilium.io",
                    "ciliumnetworkpolicies", "falco-talon-<workload>: read, create, update", "get", "create",
                    "update")))
            .example("""
                    - action: Create Cilium netpol
                      actionner: cilium:networkpolicy
                      parameters:
                        allow_cidr:
                          - "192.168.1.0/24"
                          - "172.17.0.0/16"
                        allow_namespaces:
                          - "green-ns"
                          - "blue-ns"
                    """)
            .build();

    static final ResourceDefinitionContext API = new ResourceDefinitionContext.Builder()
            .withGroup("cilium.io").withVersion("v2").withKind("CiliumNetworkPolicy")
            .withPlural("ciliumnetworkpolicies").withNamespaced(true).build();

    public CiliumPolicy(DenyPolicies policies) {
        super(policies, API, "CiliumNetworkPolicy", "cilium:networkpolicy needs Cilium's CRDs",
                "ciliumnetworkpolicy");
    }

    @Override
    public List<String> denied(Map<String, Object> spec) {
        List<String> out = new ArrayList<>();
        for (Object rule : DenyPolicies.list(spec, "egressDeny")) {
            DenyPolicies.list(DenyPolicies.asMap(rule), "toCIDR").forEach(c -> out.add(String.valueOf(c)));
        }
        return out;
    }

    @Override
    public Map<String, Object> spec(PolicyTargets.Target target, List<String> denied, Map<String, Object> params) {
        List<String> cidrs = DenyPolicies.strings(params.get("allow_cidr"));
        List<String> namespaces = DenyPolicies.strings(params.get("allow_namespaces"));
        List<Object> egress = new ArrayList<>();
        if (params.get("allow_cidr") == null && params.get("allow_namespaces") == null) {
            egress.add(Map.of("toEntities", List.of("all")));
        }
        if (!cidrs.isEmpty()) {
            egress.add(Map.of("toCIDR", cidrs));
        }
        if (!namespaces.isEmpty()) {
            egress.add(Map.of("toEndpoints", List.of(Map.of("matchExpressions", List.of(Map.of("key",
                    NAMESPACE_KEY, "operator", "In", "values", namespaces))))));
        }
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("description", DESCRIPTION);
        spec.put("endpointSelector", selector(target.selector()));
        spec.put("egressDeny", List.of(Map.of("toCIDR", List.copyOf(denied))));
        spec.put("egress", egress);
        return spec;
    }

    @Override
    public String allowed(Map<String, Object> spec) {
        List<String> out = new ArrayList<>();
        for (Object rule : DenyPolicies.list(spec, "egress")) {
            Map<String, Object> r = DenyPolicies.asMap(rule);
            DenyPolicies.list(r, "toEntities").forEach(e -> out.add("entities " + e));
            DenyPolicies.list(r, "toCIDR").forEach(c -> out.add(String.valueOf(c)));
            for (Object ep : DenyPolicies.list(r, "toEndpoints")) {
                for (Object e : DenyPolicies.list(DenyPolicies.asMap(ep), "matchExpressions")) {
                    out.add("namespaces " + DenyPolicies.list(DenyPolicies.asMap(e), "values"));
                }
            }
        }
        return out.isEmpty() ? "nothing else" : String.join(", ", out);
    }

    /** The workload's selector as a Cilium endpoint selector (the same shape as a Kubernetes label selector). */
    static Map<String, Object> selector(LabelSelector s) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (s.getMatchLabels() != null && !s.getMatchLabels().isEmpty()) {
            out.put("matchLabels", new LinkedHashMap<>(s.getMatchLabels()));
        }
        if (s.getMatchExpressions() != null && !s.getMatchExpressions().isEmpty()) {
            List<Object> expressions = new ArrayList<>();
            for (LabelSelectorRequirement e : s.getMatchExpressions()) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("key", e.getKey());
                x.put("operator", e.getOperator());
                if (e.getValues() != null && !e.getValues().isEmpty()) {
                    x.put("values", List.copyOf(e.getValues()));
                }
                expressions.add(x);
            }
            out.put("matchExpressions", expressions);
        }
        return out;
    }
}
