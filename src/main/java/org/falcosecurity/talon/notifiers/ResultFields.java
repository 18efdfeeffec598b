package org.falcosecurity.talon.notifiers;

import org.falcosecurity.talon.contract.ActionResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The fields of a result that the human-readable notifiers (Slack, e-mail, Kubernetes events) show, in one order:
 * status, rule, action, actionner, objects, artifact (its location, size and SHA-256), event, error, output. Empty
 * error and output, and a missing artifact, are left out.
 */
public final class ResultFields {

    /** One labelled value. */
    public record Field(String label, String value) {
    }

    private ResultFields() {
    }

    public static List<Field> of(ActionResult r) {
        List<Field> f = new ArrayList<>();
        f.add(new Field("Status", r.getStatus()));
        f.add(new Field("Rule", r.getRule()));
        f.add(new Field("Action", r.getAction()));
        f.add(new Field("Actionner", r.getActionner()));
        if (!r.getObjects().isEmpty()) {
            f.add(new Field("Objects", objects(r.getObjects())));
        }
        if (r.getArtifact() != null) {
            // where a responder finds the evidence, and how to check it
            f.add(new Field("Artifact", r.getArtifact().summary()));
        }
        f.add(new Field("Event", nullToEmpty(r.getEvent())));
        if (!r.getError().isEmpty()) {
            f.add(new Field("Error", r.getError()));
        }
        if (!r.getOutput().isEmpty()) {
            f.add(new Field("Output", r.getOutput()));
        }
        return f;
    }

    /** {@code namespace=y, pod=x}, sorted by name so the text is stable. */
    public static String objects(Map<String, String> objects) {
        return new java.util.TreeMap<>(objects).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", "));
    }

    /**
     * The one-line summary of the short formats and the e-mail subject: {@code [status] action on rule}, and where
     * the artifact is when one was stored.
     */
    public static String summary(ActionResult r) {
        String stored = r.getArtifact() == null || r.getArtifact().location().isEmpty() ? ""
                : ", artifact at " + r.getArtifact().location();
        return "[" + r.getStatus() + "] " + r.getAction() + " on " + r.getRule() + stored;
    }

    static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
