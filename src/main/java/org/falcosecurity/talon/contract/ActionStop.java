package org.falcosecurity.talon.contract;

import java.util.Map;

/**
 * Ends a Kubernetes actionner early with a definite result: {@code failure} (a check failed: no cluster, a missing
 * event field, no such pod) or {@code ignored} (a skip rule applied, or there is nothing left to do). The route
 * configuration {@code talon-kubernetes-actionner} turns it into the result headers; it is never a crash.
 */
public final class ActionStop extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String status;
    private final String output;
    private final transient Map<String, String> objects;

    private ActionStop(String status, String message, String output, Map<String, String> objects) {
        // no stack trace: this is an outcome, not a bug
        super(message, null, false, false);
        this.status = status;
        this.output = output;
        this.objects = objects;
    }

    /** A failure whose error names what is wrong or missing. */
    public static ActionStop failure(String error) {
        return new ActionStop("failure", error, "", Map.of());
    }

    /** A failure that still has output to report (e.g. what a command printed before it failed). */
    public static ActionStop failure(String error, String output) {
        return new ActionStop("failure", error, output == null ? "" : output, Map.of());
    }

    /** Nothing done, on purpose; the reason goes into the result's output. */
    public static ActionStop ignored(String reason) {
        return new ActionStop("ignored", reason, reason, Map.of());
    }

    /** The same stop, naming the objects the action touched or was about to touch. */
    public ActionStop withObjects(Map<String, String> touched) {
        return new ActionStop(status, getMessage(), output, Map.copyOf(touched));
    }

    public String getStatus() {
        return status;
    }

    /** The result's error: the message for a failure, empty otherwise. */
    public String getError() {
        return "failure".equals(status) ? getMessage() : "";
    }

    /** The result's output: the reason for an ignored action, what there is to show for a failure. */
    public String getOutput() {
        return output;
    }

    /** Objects for the result's {@code TalonObjects}; empty: the dispatcher's defaults (pod, namespace). */
    public Map<String, String> getObjects() {
        return objects;
    }
}
