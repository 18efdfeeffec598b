package org.falcosecurity.talon.actionners.kubernetes;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The JSON Patch kubernetes:label / kubernetes:annotation send (the simulator does not keep request bodies). */
class MetadataPatchTest {

    @Test
    void removesWithRemoveAddsWithAddAndEscapesSlashAndTilde() {
        Map<String, Object> wanted = new HashMap<>();
        wanted.put("falco.org/suspicious", "true");
        wanted.put("a~b", "1");
        wanted.put("app", "");
        wanted.put("team", null);
        wanted.put("same", "x");
        MetadataPatcher.Plan p = MetadataPatcher.plan("labels", Map.of("app", "web", "team", "a", "same", "x"), wanted);
        // keys in sorted order ("app" < "a~b": '~' sorts after letters)
        assertThat(p.ops().toString()).isEqualTo("[{\"op\":\"remove\",\"path\":\"/metadata/labels/app\"},"
                + "{\"op\":\"add\",\"path\":\"/metadata/labels/a~0b\",\"value\":\"1\"},"
                + "{\"op\":\"add\",\"path\":\"/metadata/labels/falco.org~1suspicious\",\"value\":\"true\"},"
                + "{\"op\":\"remove\",\"path\":\"/metadata/labels/team\"}]");
        assertThat(p.set()).containsExactly("a~b=1", "falco.org/suspicious=true");
        assertThat(p.removed()).containsExactly("app", "team");
        assertThat(p.unchanged()).containsExactly("same=x");
    }

    @Test
    void createsTheMapFirstWhenTheObjectHasNone() {
        MetadataPatcher.Plan p = MetadataPatcher.plan("annotations", null, Map.of("b", "2", "a", "1", "gone", ""));
        assertThat(p.ops().toString()).isEqualTo("[{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{}},"
                + "{\"op\":\"add\",\"path\":\"/metadata/annotations/a\",\"value\":\"1\"},"
                + "{\"op\":\"add\",\"path\":\"/metadata/annotations/b\",\"value\":\"2\"}]");
        assertThat(p.unchanged()).containsExactly("gone (absent)");
    }

    @Test
    void nothingToDoMeansNoOperation() {
        MetadataPatcher.Plan p = MetadataPatcher.plan("labels", Map.of("a", "1"), Map.of("a", "1", "b", ""));
        assertThat(p.ops()).isEmpty();
    }

    @Test
    void nonStringValuesAreWrittenAsText() {
        MetadataPatcher.Plan p = MetadataPatcher.plan("labels", Map.of(), Map.of("suspicious", true, "level", 3));
        assertThat(p.ops().toString()).contains("\"value\":\"true\"").contains("\"value\":\"3\"");
    }
}
