package org.falcosecurity.talon.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Loads Kubernetes manifests the way the API server would see them: every YAML document becomes the fabric8 model
 * class of its kind, with no field the model does not know (a misspelt {@code readinesProbe} is an error, not an
 * ignored extra), and is created on the API simulator and read back.
 */
public final class K8sManifests {

    private static final YAMLMapper YAML = new YAMLMapper();
    /**
     * Kinds that have no fabric8 model here and load as generic resources (their CRDs are registered first). The
     * Prometheus Operator's ServiceMonitor has one (openshift-model-monitoring, which the API simulator brings).
     */
    public static final Set<String> CUSTOM_KINDS = Set.of("Integration");

    private K8sManifests() {
    }

    /** Every non-empty document of a multi-document YAML text. */
    public static List<JsonNode> documents(String yaml) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNextValue()) {
                JsonNode n = it.nextValue();
                if (n != null && !n.isNull() && !n.isMissingNode() && n.size() > 0) {
                    docs.add(n);
                }
            }
        }
        return docs;
    }

    /** Each document as the object it claims to be; fails on an unknown kind or an unknown field. */
    public static List<HasMetadata> load(String yaml, String source) throws IOException {
        List<HasMetadata> out = new ArrayList<>();
        for (JsonNode doc : documents(yaml)) {
            String kind = doc.path("kind").asText();
            String where = source + ": " + kind + " " + doc.at("/metadata/name").asText();
            assertThat(kind).as(where + ": kind").isNotBlank();
            assertThat(doc.path("apiVersion").asText()).as(where + ": apiVersion").isNotBlank();
            KubernetesResource r = Serialization.unmarshal(doc.toString(), KubernetesResource.class);
            assertThat(r).as(where).isInstanceOf(HasMetadata.class);
            HasMetadata h = (HasMetadata) r;
            assertThat(h.getKind()).as(where).isEqualTo(kind);
            assertThat(h.getMetadata().getName()).as(where + ": metadata.name").isNotBlank();
            if (CUSTOM_KINDS.contains(kind)) {
                assertThat(h).as(where).isInstanceOf(GenericKubernetesResource.class);
            } else {
                assertThat(h).as(where + " is a known Kubernetes kind").isNotInstanceOf(GenericKubernetesResource.class);
                assertNoUnknownFields(h, where);
            }
            out.add(h);
        }
        return out;
    }

    /** Creates every object on the simulator (namespaced ones in {@code namespace}) and reads it back. */
    public static void createAll(KubernetesClient client, List<HasMetadata> objects, String namespace) {
        registerCustomResourceDefinitions(client);
        for (HasMetadata o : objects) {
            boolean namespaced = o instanceof Namespaced || o instanceof GenericKubernetesResource
                    || "ServiceMonitor".equals(o.getKind());
            HasMetadata created = namespaced
                    ? client.resource(o).inNamespace(namespace).create()
                    : client.resource(o).create();
            assertThat(created).as("created " + o.getKind() + " " + o.getMetadata().getName()).isNotNull();
            HasMetadata read = namespaced
                    ? client.resource(o).inNamespace(namespace).get()
                    : client.resource(o).get();
            assertThat(read).as("read back " + o.getKind() + " " + o.getMetadata().getName()).isNotNull();
            assertThat(read.getKind()).isEqualTo(o.getKind());
        }
    }

    /** The rules of a ClusterRole as a set of {@code apiGroup/resource:verb} grants, however they are grouped. */
    public static Set<String> grants(List<PolicyRule> rules) {
        Set<String> out = new TreeSet<>();
        for (PolicyRule r : rules) {
            for (String g : r.getApiGroups()) {
                for (String res : r.getResources()) {
                    for (String v : r.getVerbs()) {
                        out.add((g.isEmpty() ? "core" : g) + "/" + res + ":" + v);
                    }
                }
            }
        }
        return out;
    }

    private static void registerCustomResourceDefinitions(KubernetesClient client) {
        for (String[] crd : new String[][] {{"camel.apache.org", "Integration", "integrations", "v1"},
            {"monitoring.coreos.com", "ServiceMonitor", "servicemonitors", "v1"}}) {
            String name = crd[2] + "." + crd[0];
            if (client.apiextensions().v1().customResourceDefinitions().withName(name).get() != null) {
                continue;
            }
            CustomResourceDefinition d = new CustomResourceDefinitionBuilder()
                    .withNewMetadata().withName(name).endMetadata()
                    .withNewSpec().withGroup(crd[0]).withScope("Namespaced")
                    .withNewNames().withKind(crd[1]).withPlural(crd[2]).withSingular(crd[1].toLowerCase())
                    .endNames()
                    .addNewVersion().withName(crd[3]).withServed(true).withStorage(true).endVersion()
                    .endSpec().build();
            client.apiextensions().v1().customResourceDefinitions().resource(d).create();
        }
    }

    /** Walks the model's getters: a field the model does not know lands in an additionalProperties map. */
    private static void assertNoUnknownFields(Object o, String path) {
        if (o == null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                assertNoUnknownFields(e, path + "[" + i++ + "]");
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> assertNoUnknownFields(v, path + "." + k));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : o.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object v;
            try {
                v = getter.invoke(o);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if ("getAdditionalProperties".equals(getter.getName())) {
                assertThat((Map<?, ?>) v).as(path + ": fields unknown to " + o.getClass().getSimpleName())
                        .isNullOrEmpty();
            } else {
                assertNoUnknownFields(v, path + "." + getter.getName().substring(3));
            }
        }
    }
}
