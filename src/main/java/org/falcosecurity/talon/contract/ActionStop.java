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
    private final String guard;

    private ActionStop(String status, String message, String output, Map<String, String> objects, String guard) {
        // no stack trace: this is an outcome, not a bug
        super(message, null, false, false);
        this.status = status;
        this.output = output;
        this.objects = objects;
        this.guard = guard;
    }

    /** A failure whose error names what is wrong or missing. */
    public static ActionStop failure(String error) {
        return new ActionStop("failure", error, "", Map.of(), "");
    }

    /** A failure that still has output to report (e.g. what a command printed before it failed). */
    public static ActionStop failure(String error, String output) {
        return new ActionStop("failure", error, output == null ? "" : output, Map.of(), "");
    }

    /** Nothing done, on purpose; the reason goes into the result's output. */
    public static ActionStop ignored(String reason) {
        return new ActionStop("ignored", reason, reason, Map.of(), "");
    }

    /**
     * Nothing done because a guard refused the action (event provenance, a protected object): {@code ignored} with
     * the reason, and the guard's name, which the dispatcher gives the audit trail ({@code refused}).
     */
    public static ActionStop refused(String reason, String guard) {
        return new ActionStop("ignored", reason, reason, Map.of(), guard);
    }

    /** The same stop, naming the objects the action touched or was about to touch. */
    public ActionStop withObjects(Map<String, String> touched) {
        return new ActionStop(status, getMessage(), output, Map.copyOf(touched), guard);
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

    /** The guard that refused the action ({@link #refused}), else empty. */
    public String getGuard() {
        return guard;
    }
}
