package org.falcosecurity.talon.support;

import org.falcosecurity.talon.contract.ActionResult;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A notifier route ({@code direct:notifier-recorder}) that keeps what it receives: add {@link #ROUTE} as
 * {@code notifier-recorder.camel.yaml} and bind an instance as the bean {@code recorded}.
 */
public final class RecordingNotifier {

    public static final String FILE = "notifier-recorder.camel.yaml";
    public static final String ROUTE = """
            - route:
                id: notifier-recorder
                from:
                  uri: direct:notifier-recorder
                  steps:
                    - bean:
                        ref: recorded
                        method: take
            """;

    public final List<ActionResult> results = new CopyOnWriteArrayList<>();

    public void take(ActionResult r) {
        results.add(r);
    }

    /** The results with the given status. */
    public List<ActionResult> withStatus(String status) {
        return results.stream().filter(r -> status.equals(r.getStatus())).toList();
    }
}
