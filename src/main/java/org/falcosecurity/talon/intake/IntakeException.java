package org.falcosecurity.talon.intake;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request the intake refuses; carries the HTTP status and a JSON body that names the problem (never a stack trace).
 */
public class IntakeException extends Exception {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final int status;
    private final String error;
    private final String field;

    private final int retryAfterSeconds;

    public IntakeException(int status, String error, String message, String field) {
        this(status, error, message, field, 0);
    }

    /** @param retryAfterSeconds sent as {@code Retry-After} when positive (the sender may come back then) */
    public IntakeException(int status, String error, String message, String field, int retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.error = error;
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int getRetryAfterSeconds() {
        return retryAfterSeconds;
    }

    public int getStatus() {
        return status;
    }

    public String getError() {
        return error;
    }

    /** The JSON answer: {@code {"error":"bad_event","message":"…","field":"priority"}}. */
    public String getJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("error", error);
        n.put("message", getMessage());
        if (field != null) {
            n.put("field", field);
        }
        return n.toString();
    }
}
