package org.falcosecurity.talon.audit;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.Map;

/**
 * One decision of Talon, as one line of the audit trail.
 *
 * @param time       RFC 3339, when it was decided
 * @param kind       what was decided: {@code received}, {@code matched}, {@code planned}, {@code dry-run},
 *                   {@code succeeded}, {@code failed}, {@code ignored}, {@code suppressed}, {@code refused},
 *                   {@code reverted}, {@code revert-failed}
 * @param traceId    the event's trace id
 * @param falcoRule  the Falco rule of the event
 * @param rule       the Talon rule, when the decision is about one
 * @param action     the action, when the decision is about one
 * @param actionner  its actionner
 * @param objects    the objects concerned ({@code pod}, {@code namespace}, {@code node}, {@code networkpolicy}...)
 * @param reason     why, in words (a result's message or error, a refusal's limit, a duplicate's window)
 */
@JsonPropertyOrder({"time", "kind", "trace_id", "falco_rule", "rule", "action", "actionner", "objects", "reason"})
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record AuditRecord(
        @JsonProperty("time") String time,
        @JsonProperty("kind") String kind,
        @JsonProperty("trace_id") String traceId,
        @JsonProperty("falco_rule") String falcoRule,
        @JsonProperty("rule") String rule,
        @JsonProperty("action") String action,
        @JsonProperty("actionner") String actionner,
        @JsonProperty("objects") Map<String, String> objects,
        @JsonProperty("reason") String reason) {

    public static final String RECEIVED = "received";
    public static final String MATCHED = "matched";
    public static final String PLANNED = "planned";
    public static final String DRY_RUN = "dry-run";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";
    public static final String IGNORED = "ignored";
    public static final String SUPPRESSED = "suppressed";
    public static final String REFUSED = "refused";
    public static final String REVERTED = "reverted";
    public static final String REVERT_FAILED = "revert-failed";

    @JsonCreator
    public AuditRecord {
        objects = objects == null ? Map.of() : Map.copyOf(objects);
    }
}
