package org.falcosecurity.talon.dispatch;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.falcosecurity.talon.config.Secrets;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.contract.Artifact;
import org.falcosecurity.talon.contract.ArtifactInfo;
import org.falcosecurity.talon.contract.TalonHeaders;
import org.falcosecurity.talon.dispatch.ActionRouter.Step;
import org.falcosecurity.talon.rules.Event;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result record of one action: from what its actionner route answered (status, message, output, objects, the
 * artifact an output stored, the additional contexts) or from what the router decided itself (dry-run, refused).
 */
final class ActionResults {

    private ActionResults() {
    }

    static ActionResult collect(Exchange exchange, Step s, Event event) {
        Message m = exchange.getMessage();
        String status = m.getHeader(TalonHeaders.STATUS, String.class);
        String error = m.getHeader(TalonHeaders.ERROR, String.class);
        if (status == null || status.isBlank()) {
            status = ActionResult.SUCCESS;
        }
        if (!List.of(ActionResult.SUCCESS, ActionResult.FAILURE, ActionResult.IGNORED).contains(status)) {
            error = "the actionner route set an unknown status '" + status + "'";
            status = ActionResult.FAILURE;
        }
        Map<String, String> objects = new LinkedHashMap<>(defaultObjects(event));
        Object o = m.getHeader(TalonHeaders.OBJECTS);
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                if (k != null && v != null) {
                    String value = String.valueOf(v);
                    if (value.isEmpty()) {
                        // an empty value removes a default object (e.g. "pod" when the target is not a pod)
                        objects.remove(String.valueOf(k));
                    } else {
                        objects.put(String.valueOf(k), value);
                    }
                }
            });
        }
        // an artifact no output took (an action without one, a failed actionner): its spool file goes now
        if (m.getHeader(TalonHeaders.ARTIFACT) instanceof Artifact leftover) {
            leftover.delete();
        }
        // the event's context with the action's additional contexts (TalonContext, set before the actionner ran)
        Map<String, String> context = new LinkedHashMap<>(event.context());
        if (m.getHeader(TalonHeaders.CONTEXT) instanceof Map<?, ?> c) {
            c.forEach((k, v) -> context.put(String.valueOf(k), String.valueOf(v)));
        }
        ActionResult r = of(exchange, s, event, status, m.getHeader(TalonHeaders.MESSAGE, String.class),
                m.getHeader(TalonHeaders.OUTPUT, String.class), error, objects, context);
        return m.getHeader(TalonHeaders.ARTIFACT_INFO) instanceof ArtifactInfo a ? r.withArtifact(a) : r;
    }

    static Map<String, String> defaultObjects(Event event) {
        Map<String, String> objects = new LinkedHashMap<>();
        if (event.podName() != null) {
            objects.put("pod", event.podName());
        }
        if (event.namespace() != null) {
            objects.put("namespace", event.namespace());
        }
        return objects;
    }

    static ActionResult of(Exchange exchange, Step s, Event event, String status, String message,
                                       String output, String error, Map<String, String> objects) {
        return of(exchange, s, event, status, message, output, error, objects, event.context());
    }

    static ActionResult of(Exchange exchange, Step s, Event event, String status, String message,
                                       String output, String error, Map<String, String> objects,
                                       Map<String, String> context) {
        String msg = message;
        if (msg == null || msg.isBlank()) {
            msg = "action '" + s.action().name() + "' (" + s.action().actionner() + ") of rule '"
                    + s.match().rule().name() + "': " + status
                    + (error != null && !error.isBlank() ? ": " + error : "");
        }
        return new ActionResult(Instant.now(), exchange.getProperty(TalonHeaders.TRACE_ID, String.class),
                status, s.match().rule().name(), s.action().name(), s.action().actionner(), Secrets.maskUrls(msg),
                output, Secrets.maskUrls(error), event.outputText(), event.rule(), event.priority().displayName(),
                event.source(), event.hostname(), objects, context);
    }
}
