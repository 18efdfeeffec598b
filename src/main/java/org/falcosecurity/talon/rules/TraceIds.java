package org.falcosecurity.talon.rules;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The trace id of an event: the sender's {@code trace_id} when it is a valid one (1 to 64 characters of
 * {@code [A-Za-z0-9._-]}: it reaches logs, headers, results and search indices), else the sender's {@code uuid}
 * (Falcosidekick sets one), else a random UUID.
 *
 * <p>The validity rule is the one of the "secure by default" issue, whose own function will replace
 * {@link #valid} here.
 */
public final class TraceIds {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private TraceIds() {
    }

    /** Whether a trace id from an event may be kept. */
    public static boolean valid(String traceId) {
        return traceId != null && VALID.matcher(traceId).matches();
    }

    /** The trace id to use for an event. */
    public static String of(Event event) {
        if (valid(event.traceId())) {
            return event.traceId();
        }
        return event.uuid().isEmpty() ? UUID.randomUUID().toString() : event.uuid();
    }
}
