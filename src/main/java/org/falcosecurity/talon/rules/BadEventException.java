package org.falcosecurity.talon.rules;

/** An event that cannot be processed; the message names the problem and is safe to return to the sender. */
public class BadEventException extends Exception {

    private final String field;

    public BadEventException(String field, String message) {
        super(message, null, false, false);
        this.field = field;
    }

    /** The offending top-level key, or {@code null} when the body as a whole is wrong. */
    public String field() {
        return field;
    }
}
