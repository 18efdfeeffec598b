package org.falcosecurity.talon.contexts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Message;
import org.falcosecurity.talon.contract.TalonHeaders;
import org.falcosecurity.talon.rules.Event;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON an action hands to a function outside the cluster (aws:lambda, gcp:function), shaped as upstream Falco
 * Talon's event: {@code trace_id}, {@code output}, {@code priority}, {@code rule}, {@code hostname}, {@code time},
 * {@code source}, {@code output_fields}, {@code tags} and {@code context} — the event's context, the action's
 * additional contexts ({@link AdditionalContexts}) and upstream's {@code falco-talon.rule},
 * {@code falco-talon.action}, {@code falco-talon.actionner} and {@code falco-talon.action.parameters} (the
 * parameters as JSON).
 */
public final class EventPayload {

    private static final ObjectMapper JSON = new ObjectMapper();

    private EventPayload() {
    }

    /** The payload of the action whose message (event body, Talon headers) this is. */
    public static byte[] of(Message m) {
        Event event = m.getBody(Event.class);
        Map<String, Object> context = new LinkedHashMap<>(event.context());
        Object given = m.getHeader(TalonHeaders.CONTEXT);
        if (given instanceof Map<?, ?> c) {
            c.forEach((k, v) -> context.put(String.valueOf(k), String.valueOf(v)));
        }
        context.put("falco-talon.rule", m.getHeader(TalonHeaders.RULE, String.class));
        context.put("falco-talon.action", m.getHeader(TalonHeaders.ACTION, String.class));
        context.put("falco-talon.actionner", m.getHeader(TalonHeaders.ACTIONNER, String.class));
        try {
            Object params = m.getHeader(TalonHeaders.PARAMETERS);
            context.put("falco-talon.action.parameters", JSON.writeValueAsString(params == null ? Map.of() : params));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("trace_id", m.getHeader(TalonHeaders.TRACE_ID, String.class));
            out.put("output", event.output());
            out.put("priority", event.priority().displayName());
            out.put("rule", event.rule());
            out.put("hostname", event.hostname());
            out.put("time", event.time());
            out.put("source", event.source());
            out.put("output_fields", new TreeMap<>(event.outputFields()));
            out.put("context", context);
            out.put("tags", event.tags());
            return JSON.writeValueAsString(out).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the event could not be written as JSON", e);
        }
    }
}
