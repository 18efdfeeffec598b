package org.falcosecurity.talon.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.falcosecurity.talon.contract.ActionStop;
import org.falcosecurity.talon.contract.Outcome;
import org.falcosecurity.talon.rules.Event;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A network policy, of a CNI's own custom resource, that denies the pod's workload egress to the event's remote IP
 * ({@code calico:networkpolicy}, {@code cilium:networkpolicy}): created, or, when it exists, updated with the IP
 * added to the ones it already denies (never twice). The policy is {@code falco-talon-<workload>}, labelled as
 * managed by Talon ({@link PolicyTargets}); one of that name that Talon does not manage is left alone (a failure).
 *
 * <p>The update is a PUT with the resource version Talon read: when another action changed the policy in between,
 * the API server answers 409, and the route retries the whole action (it reads the policy again). A policy holds at
 * most {@code maxDenied} addresses: events never grow it without bound.
 */
public final class DenyPolicies {

    /** One kind of policy: where it lives and how its spec is written and read. */
    public interface Kind {
        /** Group, version, kind and plural of the custom resource. */
        ResourceDefinitionContext api();

        /** How messages name it ({@code Calico NetworkPolicy}). */
        String label();

        /** Why the API server may not know the resource (what to install), for a 404. */
        String missingApiHint();

        /** The CIDRs an existing policy's spec denies. */
        List<String> denied(Map<String, Object> spec);

        /** The spec denying {@code denied} to the target's pods, allowing what the parameters allow. */
        Map<String, Object> spec(PolicyTargets.Target target, List<String> denied, Map<String, Object> params);

        /** What the spec allows, for the result's output. */
        String allowed(Map<String, Object> spec);

        /** The key of the result's objects that names the policy. */
        String objectKey();
    }

    /** The bean of one kind's route: its {@code deny} method applies the kind's policy. */
    public abstract static class Actionner implements Kind {
        private final DenyPolicies policies;
        private final ResourceDefinitionContext api;
        private final String label;
        private final String missingApiHint;
        private final String objectKey;

        /** See {@link Kind} for {@code label}, {@code missingApiHint} and {@code objectKey}. */
        protected Actionner(DenyPolicies policies, ResourceDefinitionContext api, String label, String missingApiHint,
                            String objectKey) {
            this.policies = policies;
            this.api = api;
            this.label = label;
            this.missingApiHint = missingApiHint;
            this.objectKey = objectKey;
        }

        public Outcome deny(@Body Event event, @ExchangeProperty(KubernetesTarget.POD_PROPERTY) Pod pod,
                            @Header("TalonParameters") Map<String, Object> params) {
            return policies.apply(this, event, pod, params);
        }

        @Override
        public ResourceDefinitionContext api() {
            return api;
        }

        @Override
        public String label() {
            return label;
        }

        @Override
        public String missingApiHint() {
            return missingApiHint;
        }

        @Override
        public String objectKey() {
            return objectKey;
        }
    }

    private final ClusterAccess cluster;
    private final int maxDenied;

    public DenyPolicies(ClusterAccess cluster, int maxDenied) {
        this.cluster = cluster;
        this.maxDenied = maxDenied;
    }

    public Outcome apply(Kind kind, Event event, Pod pod, Map<String, Object> params) {
        String cidr = PolicyTargets.remoteCidr(event);
        KubernetesClient client = cluster.client();
        String ns = pod.getMetadata().getNamespace();
        PolicyTargets.Target target = PolicyTargets.of(client, pod);
        String name = target.policyName();
        String ref = kind.label() + " " + ns + "/" + name;
        Resource<GenericKubernetesResource> r = client.genericKubernetesResources(kind.api()).inNamespace(ns)
                .withName(name);
        GenericKubernetesResource existing = r.get();
        Map<String, Object> spec;
        String verb;
        int count;
        if (existing == null) {
            spec = kind.spec(target, List.of(cidr), params);
            create(kind, r, ns, name, spec);
            verb = "created";
            count = 1;
        } else {
            if (!PolicyTargets.managed(existing.getMetadata().getLabels())) {
                throw ActionStop.failure(ref + " exists and is not managed by Falco Talon (no label "
                        + PolicyTargets.MANAGED_BY + "=" + PolicyTargets.TALON + "): not changing it");
            }
            Set<String> denied = new LinkedHashSet<>(kind.denied(specOf(existing)));
            boolean added = denied.add(cidr);
            if (added && denied.size() > maxDenied) {
                throw ActionStop.failure(ref + " already denies " + (denied.size() - 1) + " addresses, the most"
                        + " Talon puts in one policy (talon.kubernetes.max-denied-ips): " + cidr + " not added");
            }
            spec = kind.spec(target, new ArrayList<>(denied), params);
            count = denied.size();
            if (spec.equals(specOf(existing))) {
                verb = "already in place";
            } else {
                existing.setAdditionalProperty("spec", spec);
                client.genericKubernetesResources(kind.api()).inNamespace(ns).resource(existing).update();
                verb = "updated";
            }
        }
        Map<String, String> objects = KubernetesTarget.objects(pod);
        objects.put(kind.objectKey(), name);
        return new Outcome(ref + " " + verb + ": egress of " + target.ref() + " to " + cidr + " denied ("
                + count + (count == 1 ? " address" : " addresses") + " denied); allowed: " + kind.allowed(spec),
                objects);
    }

    private static void create(Kind kind, Resource<GenericKubernetesResource> r, String ns, String name,
                               Map<String, Object> spec) {
        ResourceDefinitionContext api = kind.api();
        GenericKubernetesResource policy = new GenericKubernetesResourceBuilder()
                .withApiVersion(api.getGroup() + "/" + api.getVersion()).withKind(api.getKind())
                .withNewMetadata().withName(name).withNamespace(ns)
                .addToLabels(PolicyTargets.MANAGED_BY, PolicyTargets.TALON).endMetadata()
                .build();
        policy.setAdditionalProperty("spec", spec);
        try {
            r.create(policy);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                throw ActionStop.failure("the API server does not serve " + api.getPlural() + "."
                        + api.getGroup() + "/" + api.getVersion() + " (" + kind.missingApiHint() + "): "
                        + KubernetesErrors.text(e));
            }
            throw e;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> specOf(GenericKubernetesResource r) {
        Object spec = r.getAdditionalProperties().get("spec");
        return spec instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** The distinct entries of a list parameter, trimmed (as the rules loader checked them). */
    @SuppressWarnings("unchecked")
    public static List<String> strings(Object v) {
        return v == null ? List.of() : List.copyOf(new LinkedHashSet<>(((List<String>) v).stream()
                .map(String::trim).toList()));
    }

    /** The list at {@code key} of a map read from the API server (empty when absent or not a list). */
    @SuppressWarnings("unchecked")
    public static List<Object> list(Map<String, Object> map, String key) {
        Object v = map == null ? null : map.get(key);
        return v instanceof List<?> l ? (List<Object>) l : List.of();
    }

    /** The map at {@code key} of {@code map} (empty when either is absent or not a map). */
    public static Map<String, Object> map(Object map, String key) {
        return asMap(map instanceof Map<?, ?> m ? m.get(key) : null);
    }

    /** A value read from the API server as a map (empty when it is not one). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> asMap(Object v) {
        return v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
