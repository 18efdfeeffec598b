package org.falcosecurity.talon.actionners.kubernetes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.falcosecurity.talon.contract.ActionStop;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a pod records for the reverts Talon owes it, and how a later action changes that. */
class PendingRevertsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PendingReverts.Request TTL = new PendingReverts.Request(Duration.ofMinutes(5), "t1", "r",
            "a", "kubernetes:label");

    private static Map<String, String> map(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void aSecondActionOnTheSameKeyTakesOverTheOriginalValue() {
        // first: quarantine absent -> yes; second: yes -> strict
        List<PendingReverts.Entry> one = PendingReverts.addKeys(List.of(), "labels",
                TTL.entry("labels", map("quarantine", "yes"), Map.of()), map("quarantine", null));
        List<PendingReverts.Entry> two = PendingReverts.addKeys(one, "labels",
                TTL.entry("labels", map("quarantine", "strict", "team", null), Map.of()),
                map("quarantine", "yes", "team", "sec"));
        assertThat(two).hasSize(1);
        PendingReverts.Entry e = two.get(0);
        assertThat(e.set()).isEqualTo(map("quarantine", "strict", "team", null));
        // the value before Talon's first action, not the first action's value
        Map<String, String> expectedOld = new HashMap<>();
        expectedOld.put("quarantine", null);
        expectedOld.put("team", "sec");
        assertThat(e.old()).isEqualTo(expectedOld);
    }

    @Test
    void anActionWithoutTtlMakesItsKeysPermanent() {
        List<PendingReverts.Entry> one = PendingReverts.addKeys(List.of(), "labels",
                TTL.entry("labels", map("a", "1", "b", "2"), Map.of()), map("a", null, "b", null));
        List<PendingReverts.Entry> after = PendingReverts.addKeys(one, "labels", null, map("a", "1"));
        assertThat(after).singleElement().extracting(PendingReverts.Entry::set).isEqualTo(map("b", "2"));
        assertThat(PendingReverts.addKeys(after, "labels", null, map("b", "2"))).isEmpty();
        // other kinds are left alone
        List<PendingReverts.Entry> cordon = PendingReverts.addWhole(one, "uncordon", TTL.entry("uncordon", Map.of(),
                Map.of()));
        assertThat(PendingReverts.addKeys(cordon, "labels", null, map("a", "1", "b", "2")))
                .extracting(PendingReverts.Entry::kind).containsExactly("uncordon");
        assertThat(PendingReverts.addWhole(cordon, "uncordon", null)).extracting(PendingReverts.Entry::kind)
                .containsExactly("labels");
    }

    @Test
    void theEntriesAreBounded() {
        List<PendingReverts.Entry> many = new ArrayList<>();
        for (int i = 0; i < PendingReverts.MAX_ENTRIES; i++) {
            many = PendingReverts.addWhole(many, "uncordon", TTL.entry("uncordon", Map.of(), Map.of()));
        }
        List<PendingReverts.Entry> full = many;
        assertThatThrownBy(() -> PendingReverts.addWhole(full, "uncordon", TTL.entry("uncordon", Map.of(),
                Map.of()))).isInstanceOf(ActionStop.class).hasMessageContaining("already has 50 pending reverts");
    }

    @Test
    void thePatchTestsTheAnnotationItReplacesAndRemovesBothMarksWhenNothingIsLeft() throws Exception {
        List<PendingReverts.Entry> entries = List.of(TTL.entry("labels", map("a", "1"), map("a", null)));
        Pod fresh = new PodBuilder().withNewMetadata().withName("p").endMetadata().build();
        ArrayNode ops = JSON.createArrayNode();
        PendingReverts.patchOps(ops, fresh, entries);
        assertThat(ops.findValuesAsText("path")).containsExactly("/metadata/annotations",
                "/metadata/annotations/falco-talon~1revert", "/metadata/labels", "/metadata/labels/falco-talon~1revert");

        String recorded = PendingReverts.write(entries);
        Pod marked = new PodBuilder().withNewMetadata().withName("p")
                .addToAnnotations("falco-talon/revert", recorded).addToLabels("falco-talon/revert", "pending")
                .endMetadata().build();
        assertThat(PendingReverts.read(marked)).isEqualTo(entries);
        ArrayNode clear = JSON.createArrayNode();
        PendingReverts.patchOps(clear, marked, List.of());
        assertThat(clear.toString()).isEqualTo("[{\"op\":\"test\",\"path\":\"/metadata/annotations/falco-talon~1revert\","
                + "\"value\":" + JSON.writeValueAsString(recorded) + "},"
                + "{\"op\":\"remove\",\"path\":\"/metadata/annotations/falco-talon~1revert\"},"
                + "{\"op\":\"remove\",\"path\":\"/metadata/labels/falco-talon~1revert\"}]");
        // an unreadable annotation is nothing pending, never an exception
        Pod garbage = new PodBuilder().withNewMetadata().withName("p").addToAnnotations("falco-talon/revert", "{x")
                .endMetadata().build();
        assertThat(PendingReverts.read(garbage)).isEmpty();
    }
}
