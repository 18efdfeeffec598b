package org.falcosecurity.talon.actionners.kubernetes;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.JsonPatch;
import io.fabric8.zjsonpatch.JsonPatchException;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The JSON Patch kubernetes:label / kubernetes:annotation send (the simulator does not keep request bodies), applied
 * to a pod with fabric8's RFC 6902 implementation (the one the API simulator patches with), strictly: adding below
 * a missing object or removing a missing key fails, as on a real API server.
 */
class MetadataPatchTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A pod whose {@code field} (labels or annotations) is {@code current}; none when null. */
    private static ObjectNode pod(String field, Map<String, String> current) {
        ObjectNode pod = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
        ObjectNode metadata = pod.putObject("metadata").put("name", "web-1").put("namespace", "default");
        if (current != null) {
            metadata.set(field, JSON.valueToTree(current));
        }
        return pod;
    }

    /** The pod after the plan's patch. */
    private static JsonNode patched(MetadataPatcher.Plan p, ObjectNode pod) {
        return JsonPatch.apply(p.ops(), pod);
    }

    private static Map<String, String> field(JsonNode pod, String field) {
        return JSON.convertValue(pod.path("metadata").path(field), new TypeReference<Map<String, String>>() { });
    }

    @Test
    void removesWithRemoveAddsWithAddAndEscapesSlashAndTilde() {
        Map<String, Object> wanted = new HashMap<>();
        wanted.put("falco.org/suspicious", "true");
        wanted.put("a~b", "1");
        wanted.put("app", "");
        wanted.put("team", null);
        wanted.put("same", "x");
        Map<String, String> current = Map.of("app", "web", "team", "a", "same", "x", "keep", "me");
        MetadataPatcher.Plan p = MetadataPatcher.plan("labels", current, wanted);

        JsonNode after = patched(p, pod("labels", current));
        // keys holding '/' and '~' land under their own name (JSON Pointer escaping), not as a path
        assertThat(field(after, "labels")).containsOnly(Map.entry("falco.org/suspicious", "true"),
                Map.entry("a~b", "1"), Map.entry("same", "x"), Map.entry("keep", "me"));
        assertThat(after.path("metadata").path("name").asText()).isEqualTo("web-1");
        // the output's lists, in key order
        assertThat(p.set()).containsExactly("a~b=1", "falco.org/suspicious=true");
        assertThat(p.removed()).containsExactly("app", "team");
        assertThat(p.unchanged()).containsExactly("same=x");
        // every operation is needed: no add of an unchanged value, no remove of an absent key
        assertThat(p.ops()).hasSize(4);
    }

    @Test
    void createsTheMapFirstWhenTheObjectHasNone() {
        MetadataPatcher.Plan p = MetadataPatcher.plan("annotations", null, Map.of("b", "2", "a", "1", "gone", ""));
        JsonNode after = patched(p, pod("annotations", null));
        assertThat(field(after, "annotations")).containsOnly(Map.entry("a", "1"), Map.entry("b", "2"));
        assertThat(p.unchanged()).containsExactly("gone (absent)");
        // without that first operation the patch could not apply: a key cannot be added below a missing object
        // (an empty map is planned like a missing one: fabric8 shows a missing map as empty; a non-empty one is not)
        MetadataPatcher.Plan withMap = MetadataPatcher.plan("annotations", Map.of("x", "y"), Map.of("a", "1"));
        assertThatThrownBy(() -> patched(withMap, pod("annotations", null)))
                .isInstanceOf(JsonPatchException.class);
        MetadataPatcher.Plan fromEmpty = MetadataPatcher.plan("annotations", Map.of(), Map.of("a", "1"));
        assertThat(field(patched(fromEmpty, pod("annotations", null)), "annotations")).containsOnly(Map.entry("a", "1"));
    }

    @Test
    void nothingToDoMeansNoOperation() {
        MetadataPatcher.Plan p = MetadataPatcher.plan("labels", Map.of("a", "1"), Map.of("a", "1", "b", ""));
        assertThat(p.ops()).isEmpty();
        assertThat(p.unchanged()).containsExactly("a=1", "b (absent)");
    }

    @Test
    void nonStringValuesAreWrittenAsText() {
        MetadataPatcher.Plan p = MetadataPatcher.plan("labels", Map.of(), Map.of("suspicious", true, "level", 3));
        JsonNode labels = patched(p, pod("labels", Map.of())).path("metadata").path("labels");
        assertThat(labels.path("suspicious").isTextual()).isTrue();
        assertThat(labels.path("suspicious").asText()).isEqualTo("true");
        assertThat(labels.path("level").isTextual()).isTrue();
        assertThat(labels.path("level").asText()).isEqualTo("3");
    }
}
