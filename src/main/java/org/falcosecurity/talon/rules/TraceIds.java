package org.falcosecurity.talon.rules;

import java.util.UUID;

/**
 * The trace id rule: an id taken from the event (its {@code trace_id}, its {@code uuid}) is kept only if it is 1 to 64
 * characters of {@code [A-Za-z0-9._-]}; anything else — empty, longer, CR/LF, spaces, markup, non-ASCII — is replaced
 * by an id Talon makes. A trace id reaches every log line, result, notification, header, search index and HTTP
 * answer, so it is held to characters that mean nothing to any of them.
 */
public final class TraceIds {

    static final int MAX_LENGTH = 64;

    private TraceIds() {
    }

    /** Whether a candidate taken from an event may be used as the trace id. */
    public static boolean acceptable(String candidate) {
        // [A-Za-z0-9._-]{1,64}, by hand: it runs on every event
        if (candidate == null || candidate.isEmpty() || candidate.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < candidate.length(); i++) {
            char c = candidate.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                    || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** The candidate when {@link #acceptable}, else a new random id. */
    public static String orNew(String candidate) {
        return acceptable(candidate) ? candidate : UUID.randomUUID().toString();
    }

    /**
     * The event's trace id: the sender's {@code trace_id} when acceptable, else its {@code uuid} (Falcosidekick sets
     * one) when acceptable, else a new one.
     */
    public static String of(Event event) {
        return acceptable(event.traceId()) ? event.traceId() : orNew(event.uuid());
    }
}
