package org.falcosecurity.talon.actionners.kubernetes;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.apache.camel.Message;
import org.falcosecurity.talon.contract.ActionStop;
import org.falcosecurity.talon.contract.TalonHeaders;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The reverts Talon owes an object, recorded on the object itself so that a restart or another replica completes
 * them: the annotation {@value #KEY} holds a JSON list of {@link Entry entries} (expiry, trace id, rule, action, what
 * to restore) and the label {@value #KEY}{@code =}{@value #PENDING} makes the objects listable by a label selector.
 */
final class PendingReverts {

    static final String KEY = "falco-talon/revert";
    static final String PENDING = "pending";
    static final String SELECTOR_KEY = KEY;
    /** The JSON Pointer of the annotation and of the label ({@code /} escaped). */
    static final String ANNOTATION_PATH = "/metadata/annotations/" + MetadataPatcher.escape(KEY);
    static final String LABEL_PATH = "/metadata/labels/" + MetadataPatcher.escape(KEY);
    /** An object's pending reverts are bounded: event data must not grow an annotation without end. */
    static final int MAX_ENTRIES = 50;

    static final String LABELS = "labels";
    static final String ANNOTATIONS = "annotations";
    static final String UNCORDON = "uncordon";
    static final String DELETE_POLICY = "delete-policy";

    private static final ObjectMapper JSON = new ObjectMapper();

    private PendingReverts() {
    }

    /**
     * One revert owed.
     *
     * @param kind {@value #LABELS}, {@value #ANNOTATIONS} (restore {@code old} where the value is still {@code set}),
     *             {@value #UNCORDON} or {@value #DELETE_POLICY} (once no entry of that kind is left)
     * @param set  the keys Talon changed and the values it set ({@code null}: removed)
     * @param old  the values before ({@code null}: absent)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Entry(@JsonProperty("id") String id,
                 @JsonProperty("expires") String expires,
                 @JsonProperty("trace_id") String traceId,
                 @JsonProperty("rule") String rule,
                 @JsonProperty("action") String action,
                 @JsonProperty("actionner") String actionner,
                 @JsonProperty("kind") String kind,
                 @JsonProperty("set") Map<String, String> set,
                 @JsonProperty("old") Map<String, String> old) {

        Instant expiry() {
            return Instant.parse(expires);
        }
    }

    /** What an action with a {@code ttl} asks for: from the headers of the actionner route. */
    record Request(Duration ttl, String traceId, String rule, String action, String actionner) {

        /** The request of the message, or {@code null} when its action has no ttl. */
        static Request of(Message m) {
            Long ms = m.getHeader(TalonHeaders.TTL_MILLIS, Long.class);
            if (ms == null || ms <= 0) {
                return null;
            }
            return new Request(Duration.ofMillis(ms), m.getHeader(TalonHeaders.TRACE_ID, "", String.class),
                    m.getHeader(TalonHeaders.RULE, "", String.class), m.getHeader(TalonHeaders.ACTION, "", String.class),
                    m.getHeader(TalonHeaders.ACTIONNER, "", String.class));
        }

        Entry entry(String kind, Map<String, String> set, Map<String, String> old) {
            return new Entry(UUID.randomUUID().toString().substring(0, 8), Instant.now().plus(ttl).toString(),
                    traceId, rule, action, actionner, kind, set, old);
        }
    }

    /** The entries recorded on the object (none when the annotation is absent or unreadable). */
    static List<Entry> read(HasMetadata o) {
        Map<String, String> a = o.getMetadata().getAnnotations();
        String v = a == null ? null : a.get(KEY);
        if (v == null || v.isBlank()) {
            return new ArrayList<>();
        }
        try {
            return new ArrayList<>(JSON.readValue(v, new TypeReference<List<Entry>>() { }));
        } catch (JsonProcessingException e) {
            return new ArrayList<>();
        }
    }

    static String write(List<Entry> entries) {
        try {
            return JSON.writeValueAsString(entries);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Adds an entry for keys an action just changed. An older entry that touches the same key gives up that key
     * and hands the new entry its original value, so the last revert to run restores what was there before Talon.
     * With {@code added} null (an action without ttl), the keys simply stop being pending: the change is now
     * permanent.
     */
    static List<Entry> addKeys(List<Entry> entries, String kind, Entry added, Map<String, String> changedOld) {
        List<Entry> out = new ArrayList<>();
        Map<String, String> old = new LinkedHashMap<>(changedOld);
        for (Entry e : entries) {
            if (!kind.equals(e.kind())) {
                out.add(e);
                continue;
            }
            Map<String, String> set = new LinkedHashMap<>(e.set());
            Map<String, String> eOld = new LinkedHashMap<>(e.old());
            for (String k : changedOld.keySet()) {
                if (set.containsKey(k)) {
                    old.put(k, eOld.get(k));
                    set.remove(k);
                    eOld.remove(k);
                }
            }
            if (!set.isEmpty()) {
                out.add(new Entry(e.id(), e.expires(), e.traceId(), e.rule(), e.action(), e.actionner(), kind, set,
                        eOld));
            }
        }
        if (added != null) {
            out.add(new Entry(added.id(), added.expires(), added.traceId(), added.rule(), added.action(),
                    added.actionner(), kind, added.set(), old));
        }
        return bounded(out);
    }

    /** Adds a whole-object entry (uncordon, delete-policy); {@code added} null makes the change permanent. */
    static List<Entry> addWhole(List<Entry> entries, String kind, Entry added) {
        List<Entry> out = new ArrayList<>(entries.stream().filter(e -> !kind.equals(e.kind())).toList());
        if (added != null) {
            entries.stream().filter(e -> kind.equals(e.kind())).forEach(out::add);
            out.add(added);
        }
        return bounded(out);
    }

    private static List<Entry> bounded(List<Entry> entries) {
        if (entries.size() > MAX_ENTRIES) {
            throw ActionStop.failure("the object already has " + MAX_ENTRIES + " pending reverts (" + KEY
                    + "): not adding another");
        }
        return entries;
    }

    /**
     * The JSON Patch operations that store {@code entries} on an object whose current state is {@code o}: the
     * annotation and the label set, or both removed when nothing is pending. A {@code test} of the annotation's
     * current value comes first, so a concurrent writer (another replica) makes the patch fail instead of being
     * overwritten.
     */
    static void patchOps(ArrayNode ops, HasMetadata o, List<Entry> entries) {
        Map<String, String> annotations = o.getMetadata().getAnnotations();
        Map<String, String> labels = o.getMetadata().getLabels();
        String current = annotations == null ? null : annotations.get(KEY);
        if (current != null) {
            ops.insertObject(0).put("op", "test").put("path", ANNOTATION_PATH).put("value", current);
        }
        if (entries.isEmpty()) {
            if (current != null) {
                ops.addObject().put("op", "remove").put("path", ANNOTATION_PATH);
            }
            if (labels != null && labels.containsKey(KEY)) {
                ops.addObject().put("op", "remove").put("path", LABEL_PATH);
            }
            return;
        }
        // fabric8 shows a missing map as empty; a real API server cannot add below a missing object
        if ((annotations == null || annotations.isEmpty()) && !adds(ops, "/metadata/annotations")) {
            ops.addObject().put("op", "add").put("path", "/metadata/annotations").putObject("value");
        }
        ops.addObject().put("op", "add").put("path", ANNOTATION_PATH).put("value", write(entries));
        if ((labels == null || labels.isEmpty()) && !adds(ops, "/metadata/labels")) {
            ops.addObject().put("op", "add").put("path", "/metadata/labels").putObject("value");
        }
        if (labels == null || !PENDING.equals(labels.get(KEY))) {
            ops.addObject().put("op", "add").put("path", LABEL_PATH).put("value", PENDING);
        }
    }

    private static boolean adds(ArrayNode ops, String path) {
        for (var op : ops) {
            if (path.equals(op.path("path").asText()) && "add".equals(op.path("op").asText())) {
                return true;
            }
        }
        return false;
    }
}
