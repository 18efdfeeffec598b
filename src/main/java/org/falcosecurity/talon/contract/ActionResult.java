package org.falcosecurity.talon.contract;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Instant;
import java.util.Map;

/**
 * The result of one action: the single record every notifier receives, whatever the status.
 *
 * <p>As JSON it carries the fields below plus the touched objects flattened at the top level
 * ({@code "pod":"x","namespace":"y"}), as the original project's webhook output does. In routes, fields are reached
 * with getters ({@code ${body.status}}, {@code ${body.objects[pod]}}) and the whole record with {@code ${body.json}}.
 */
@JsonPropertyOrder({"time", "trace_id", "status", "rule", "action", "actionner", "message", "output", "error",
        "event", "falco_rule", "priority", "source", "hostname", "objects", "context", "artifact"})
public final class ActionResult {

    public static final String SUCCESS = "success";
    public static final String FAILURE = "failure";
    public static final String IGNORED = "ignored";
    public static final String DRY_RUN = "dry-run";
    /** A change Talon made earlier (an action with a {@code ttl}, or {@code undo}) has been reverted. */
    public static final String REVERTED = "reverted";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.Set<String> RESERVED = java.util.Set.of("time", "trace_id", "status", "rule",
            "action", "actionner", "message", "output", "error", "event", "falco_rule", "priority", "source",
            "hostname", "objects", "context", "artifact");

    private final Instant time;
    private final String traceId;
    private final String status;
    private final String rule;
    private final String action;
    private final String actionner;
    private final String message;
    private final String output;
    private final String error;
    private final String event;
    private final String falcoRule;
    private final String priority;
    private final String source;
    private final String hostname;
    private final Map<String, String> objects;
    private final Map<String, String> context;
    private final ArtifactInfo artifact;
    /** {@link #getJson()}, made once: every notifier and the log line of a result read it. */
    private volatile String json;

    @SuppressWarnings("checkstyle:ParameterNumber")
    public ActionResult(Instant time, String traceId, String status, String rule, String action, String actionner,
                        String message, String output, String error, String event, String falcoRule,
                        String priority, String source, String hostname, Map<String, String> objects) {
        this(time, traceId, status, rule, action, actionner, message, output, error, event, falcoRule, priority,
                source, hostname, objects, Map.of());
    }

    /** The same, with the event's {@code context} (upstream Falco Talon's extra event data). */
    @SuppressWarnings("checkstyle:ParameterNumber")
    public ActionResult(Instant time, String traceId, String status, String rule, String action, String actionner,
                        String message, String output, String error, String event, String falcoRule,
                        String priority, String source, String hostname, Map<String, String> objects,
                        Map<String, String> context) {
        this.time = time;
        this.traceId = traceId;
        this.status = status;
        this.rule = rule;
        this.action = action;
        this.actionner = actionner;
        this.message = message;
        this.output = output == null ? "" : output;
        this.error = error == null ? "" : error;
        this.event = event;
        this.falcoRule = falcoRule;
        this.priority = priority;
        this.source = source;
        this.hostname = hostname;
        this.objects = objects == null ? Map.of() : Map.copyOf(objects);
        this.context = context == null ? Map.of() : Map.copyOf(context);
        this.artifact = null;
    }

    private ActionResult(ActionResult r, ArtifactInfo artifact) {
        this.time = r.time;
        this.traceId = r.traceId;
        this.status = r.status;
        this.rule = r.rule;
        this.action = r.action;
        this.actionner = r.actionner;
        this.message = r.message;
        this.output = r.output;
        this.error = r.error;
        this.event = r.event;
        this.falcoRule = r.falcoRule;
        this.priority = r.priority;
        this.source = r.source;
        this.hostname = r.hostname;
        this.objects = r.objects;
        this.context = r.context;
        this.artifact = artifact;
    }

    /** The same result, with the artifact the action collected (and where it was stored). */
    public ActionResult withArtifact(ArtifactInfo a) {
        return new ActionResult(this, a);
    }

    /** When the result was produced. */
    @JsonIgnore
    public Instant getTime() {
        return time;
    }

    /** The time as RFC 3339 text, as the JSON carries it. */
    @JsonProperty("time")
    public String getTimeText() {
        return time.toString();
    }

    @JsonProperty("trace_id")
    public String getTraceId() {
        return traceId;
    }

    @JsonProperty("status")
    public String getStatus() {
        return status;
    }

    @JsonProperty("rule")
    public String getRule() {
        return rule;
    }

    @JsonProperty("action")
    public String getAction() {
        return action;
    }

    @JsonProperty("actionner")
    public String getActionner() {
        return actionner;
    }

    @JsonProperty("message")
    public String getMessage() {
        return message;
    }

    @JsonProperty("output")
    public String getOutput() {
        return output;
    }

    @JsonProperty("error")
    public String getError() {
        return error;
    }

    /** The Falco event's output, without its time and priority prefix. */
    @JsonProperty("event")
    public String getEvent() {
        return event;
    }

    @JsonProperty("falco_rule")
    public String getFalcoRule() {
        return falcoRule;
    }

    @JsonProperty("priority")
    public String getPriority() {
        return priority;
    }

    @JsonProperty("source")
    public String getSource() {
        return source;
    }

    @JsonProperty("hostname")
    public String getHostname() {
        return hostname;
    }

    @JsonProperty("objects")
    public Map<String, String> getObjects() {
        return objects;
    }

    /** The event's {@code context}, when it had one (left out of the JSON when empty). */
    @JsonProperty("context")
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
    public Map<String, String> getContext() {
        return context;
    }

    /** The artifact the action collected, and where it is (left out of the JSON when there is none). */
    @JsonProperty("artifact")
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public ArtifactInfo getArtifact() {
        return artifact;
    }

    /** Objects flattened at the top level of the JSON, except names the record itself uses. */
    @JsonAnyGetter
    Map<String, String> flattenedObjects() {
        Map<String, String> flat = new java.util.LinkedHashMap<>(objects);
        flat.keySet().removeAll(RESERVED);
        return flat;
    }

    /** The record as one line of JSON. */
    @JsonIgnore
    public String getJson() {
        String j = json;
        if (j == null) {
            try {
                j = JSON.writeValueAsString(this);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            json = j;
        }
        return j;
    }

    @Override
    public String toString() {
        return getJson();
    }
}
