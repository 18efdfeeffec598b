package org.falcosecurity.talon.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.falcosecurity.talon.actionners.kubernetes.Reverts;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.kubernetes.ClusterAccess;

import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code POST /undo} ({@code routes/undo.camel.yaml}): reverts now the pending reverts of one event's actions
 * (those with a {@code ttl}). It needs the intake's token: with an open intake it is refused, whatever the request.
 * The body is {@code {"trace_id": "..."}} (or the query parameter {@code trace_id}); the answer lists what was
 * reverted. Each revert also goes to the rule's notifiers and the audit trail, like a ttl's.
 */
public class UndoRequests {

    /** What a trace id can be: Talon's (a UUID) or a sender's id; never free text. */
    static final Pattern TRACE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventIntake intake;
    private final Reverts reverts;
    private final ClusterAccess cluster;

    public UndoRequests(EventIntake intake, Reverts reverts, ClusterAccess cluster) {
        this.intake = intake;
        this.reverts = reverts;
        this.cluster = cluster;
    }

    public String undo(Exchange exchange) throws IntakeException {
        if (!intake.requiresToken()) {
            throw new IntakeException(403, "undo_needs_auth", "POST /undo is only served when the intake requires"
                    + " a token (auth.token or auth.token_file)", null);
        }
        intake.checkToken(exchange);
        String method = exchange.getMessage().getHeader(Exchange.HTTP_METHOD, String.class);
        if (method != null && !"POST".equalsIgnoreCase(method)) {
            throw new IntakeException(400, "method_not_allowed", "use POST /undo with {\"trace_id\": \"...\"}",
                    null);
        }
        String traceId = traceId(exchange);
        if (!cluster.configured()) {
            throw new IntakeException(409, "no_cluster", ClusterAccess.NOT_CONFIGURED, null);
        }
        List<ActionResult> done = reverts.undo(traceId);
        if (done.isEmpty()) {
            throw new IntakeException(404, "nothing_to_undo", "no pending revert has trace id " + traceId
                    + " (its actions had no ttl, or were reverted already)", "trace_id");
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("status", "reverted");
        n.put("trace_id", traceId);
        ArrayNode list = n.putArray("reverted");
        for (ActionResult r : done) {
            ObjectNode o = list.addObject();
            o.put("rule", r.getRule());
            o.put("action", r.getAction());
            o.put("actionner", r.getActionner());
            o.set("objects", JSON.valueToTree(r.getObjects()));
            o.put("message", r.getMessage());
        }
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        return n.toString();
    }

    private static String traceId(Exchange exchange) throws IntakeException {
        String fromQuery = exchange.getMessage().getHeader("trace_id", String.class);
        String id = fromQuery;
        byte[] body = exchange.getMessage().getBody(byte[].class);
        if (body != null && body.length > 0) {
            try {
                JsonNode j = JSON.readTree(body);
                if (j == null || !j.isObject() || !j.path("trace_id").isTextual()) {
                    throw new IntakeException(400, "bad_request", "expected {\"trace_id\": \"...\"}", "trace_id");
                }
                id = j.get("trace_id").textValue();
            } catch (IOException e) {
                throw new IntakeException(400, "bad_request", "the body is not JSON: expected"
                        + " {\"trace_id\": \"...\"}", null);
            }
        }
        if (id == null || id.isEmpty()) {
            throw new IntakeException(400, "bad_request", "trace_id is required", "trace_id");
        }
        if (!TRACE_ID.matcher(id).matches()) {
            throw new IntakeException(400, "bad_request", "trace_id must be 1 to 128 letters, digits, '.', '_', ':'"
                    + " or '-'", "trace_id");
        }
        return id;
    }
}
