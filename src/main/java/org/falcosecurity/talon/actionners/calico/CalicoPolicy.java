package org.falcosecurity.talon.actionners.calico;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import org.falcosecurity.talon.catalog.ActionnerSpec;
import org.falcosecurity.talon.catalog.ParamSpec;
import org.falcosecurity.talon.catalog.Permission;
import org.falcosecurity.talon.contract.ActionStop;
import org.falcosecurity.talon.kubernetes.DenyPolicies;
import org.falcosecurity.talon.kubernetes.PolicyTargets;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.falcosecurity.talon.actionners.kubernetes.KubernetesDeclarations.ALLOW_CIDR;
import static org.falcosecurity.talon.actionners.kubernetes.KubernetesDeclarations.ALLOW_NAMESPACES;
import static org.falcosecurity.talon.actionners.kubernetes.KubernetesDeclarations.GET_POD;
import static org.falcosecurity.talon.actionners.kubernetes.KubernetesDeclarations.POD_AND_REMOTE_IP_FIELDS;
import static org.falcosecurity.talon.actionners.kubernetes.KubernetesDeclarations.WORKLOAD_SELECTORS;
import static org.falcosecurity.talon.actionners.kubernetes.KubernetesDeclarations.concat;

/**
 * {@code calico:networkpolicy}: a Calico {@code NetworkPolicy} ({@code projectcalico.org/v3}, through the Calico API
 * server) for the pod's workload that denies egress to the event's remote IP, then allows {@code allow_cidr} and
 * {@code allow_namespaces} (with neither, everything else: {@code 0.0.0.0/0} and {@code ::/0}).
 *
 * <p>Why {@code projectcalico.org/v3} and not the {@code crd.projectcalico.org/v1} resources behind it: Calico
 * documents the v1 CRDs as its internal storage, not to be written directly (no validation, no defaulting, and the
 * stored form of a name depends on the tier); the API server is the supported interface, and upstream Falco Talon
 * writes there too. A cluster without the Calico API server answers 404, which the result says.
 *
 * <p>Rules, in order: {@code Deny} to the denied addresses (every IP an event named, kept across updates), then
 * {@code Allow} to the CIDRs, then {@code Allow} to the namespaces (namespace selector
 * {@code kubernetes.io/metadata.name in {...}}). {@code order} is the policy's order among Calico policies.
 */
public final class CalicoPolicy extends DenyPolicies.Actionner {

    /** {@code calico:networkpolicy}. */
    public static final ActionnerSpec SPEC = ActionnerSpec.builder("calico:networkpolicy")
            .description("Deny the pod's workload egress to the event's remote IP with a Calico NetworkPolicy")
            .source("syscalls")
            .requiredFields(POD_AND_REMOTE_IP_FIELDS)
            .param(ALLOW_CIDR)
            .param(ALLOW_NAMESPACES)
            .param(ParamSpec.of("order", ParamSpec.Type.INTEGER)
                    .describedAs("The policy's order among Calico policies (lower applies first; default: none,"
                            + " after every ordered policy)"))
            .permissions("calico", concat(GET_POD, WORKLOAD_SELECTORS, Permission.of("projectcalico.org",
                    "networkpolicies", "falco-talon-<workload>: read, create, update (through the Calico API"
                            + " server)", "get", "create", "update")))
            .example("""
                    - action: Create Calico netpol
                      actionner: calico:networkpolicy
                      parameters:
                        order: 20
                        allow_cidr:
                          - "192.168.1.0/24"
                          - "172.17.0.0/16"
                        allow_namespaces:
                          - "green-ns"
                          - "blue-ns"
                    """)
            .build();

    static final ResourceDefinitionContext API = new ResourceDefinitionContext.Builder()
            .withGroup("projectcalico.org").withVersion("v3").withKind("NetworkPolicy").withPlural("networkpolicies")
            .withNamespaced(true).build();
    /** What Calico's selector syntax may quote: label keys and values as the API server accepts them. */
    private static final Pattern LABEL_TEXT = Pattern.compile("^[A-Za-z0-9][-A-Za-z0-9_./]{0,316}$|^$");

    public CalicoPolicy(DenyPolicies policies) {
        super(policies, API, "Calico NetworkPolicy", "calico:networkpolicy needs the Calico API server",
                "caliconetworkpolicy");
    }

    @Override
    public List<String> denied(Map<String, Object> spec) {
        List<String> out = new ArrayList<>();
        for (Object rule : DenyPolicies.list(spec, "egress")) {
            if (rule instanceof Map<?, ?> m && "Deny".equals(m.get("action"))) {
                DenyPolicies.list(DenyPolicies.map(rule, "destination"), "nets").forEach(n -> out.add(
                        String.valueOf(n)));
            }
        }
        return out;
    }

    @Override
    public Map<String, Object> spec(PolicyTargets.Target target, List<String> denied, Map<String, Object> params) {
        List<Object> egress = new ArrayList<>();
        egress.add(rule("Deny", Map.of("nets", List.copyOf(denied))));
        List<String> cidrs = DenyPolicies.strings(params.get("allow_cidr"));
        List<String> namespaces = DenyPolicies.strings(params.get("allow_namespaces"));
        if (params.get("allow_cidr") == null && params.get("allow_namespaces") == null) {
            egress.add(rule("Allow", Map.of("nets", List.of("0.0.0.0/0", "::/0"))));
        }
        if (!cidrs.isEmpty()) {
            egress.add(rule("Allow", Map.of("nets", cidrs)));
        }
        if (!namespaces.isEmpty()) {
            egress.add(rule("Allow", Map.of("namespaceSelector", PolicyTargets.NAMESPACE_NAME_LABEL + " in {"
                    + String.join(", ", namespaces.stream().map(n -> "'" + n + "'").toList()) + "}")));
        }
        Map<String, Object> spec = new LinkedHashMap<>();
        if (params.get("order") instanceof Number order) {
            spec.put("order", order.intValue());
        }
        spec.put("selector", selector(target.selector()));
        spec.put("types", List.of("Egress"));
        spec.put("egress", egress);
        return spec;
    }

    @Override
    public String allowed(Map<String, Object> spec) {
        List<String> out = new ArrayList<>();
        for (Object rule : DenyPolicies.list(spec, "egress")) {
            if (rule instanceof Map<?, ?> m && "Allow".equals(m.get("action"))) {
                Map<String, Object> d = DenyPolicies.map(rule, "destination");
                DenyPolicies.list(d, "nets").forEach(n -> out.add(String.valueOf(n)));
                if (d.get("namespaceSelector") != null) {
                    out.add("namespaces " + d.get("namespaceSelector"));
                }
            }
        }
        return out.isEmpty() ? "nothing else" : String.join(", ", out);
    }

    private static Map<String, Object> rule(String action, Map<String, Object> destination) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("action", action);
        r.put("destination", destination);
        return r;
    }

    /**
     * A Kubernetes label selector in Calico's selector syntax: {@code k == 'v'}, {@code k in {'a', 'b'}},
     * {@code k not in {...}}, {@code has(k)}, {@code !has(k)}, joined by {@code &&}.
     */
    static String selector(LabelSelector s) {
        List<String> terms = new ArrayList<>();
        if (s.getMatchLabels() != null) {
            s.getMatchLabels().forEach((k, v) -> terms.add(text(k) + " == '" + text(v) + "'"));
        }
        if (s.getMatchExpressions() != null) {
            for (LabelSelectorRequirement e : s.getMatchExpressions()) {
                String key = text(e.getKey());
                List<String> values = e.getValues() == null ? List.of() : e.getValues();
                String set = "{" + String.join(", ", values.stream().map(v -> "'" + text(v) + "'").toList()) + "}";
                terms.add(switch (e.getOperator()) {
                    case "In" -> key + " in " + set;
                    case "NotIn" -> key + " not in " + set;
                    case "Exists" -> "has(" + key + ")";
                    case "DoesNotExist" -> "!has(" + key + ")";
                    default -> throw ActionStop.failure("the workload's selector has an operator Calico selectors"
                            + " do not know: " + e.getOperator());
                });
            }
        }
        if (terms.isEmpty()) {
            throw ActionStop.failure("the workload's selector is empty: a policy would select every pod of the"
                    + " namespace");
        }
        return String.join(" && ", terms);
    }

    /** A label key or value, checked before it is written into a selector. */
    private static String text(String s) {
        if (s == null || !LABEL_TEXT.matcher(s).matches()) {
            throw ActionStop.failure("the workload's selector has a label that is not valid label text: "
                    + String.valueOf(s).replaceAll("[^\\x20-\\x7e]", "?"));
        }
        return s;
    }
}
