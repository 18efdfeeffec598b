package org.falcosecurity.talon.contract;

import org.falcosecurity.talon.rules.Event;

/** Observes every action result as it is produced (metrics; tests). */
@FunctionalInterface
public interface ResultListener {

    /**
     * @param result        the result
     * @param event         the event it answers
     * @param receivedNanos {@link System#nanoTime()} when the intake received the event
     */
    void onResult(ActionResult result, Event event, long receivedNanos);
}
