package org.falcosecurity.talon.rules;

import java.util.List;
import java.util.Map;

/**
 * A Falco event, as Falco's http_output or Falcosidekick's webhook / talon output sends it.
 *
 * <p>Output-field values are kept as canonical strings (see {@link EventParser}), so matching and
 * substitution never depend on the JSON type the sender picked.
 *
 * @param uuid          the sender's id (Falcosidekick sets one), may be empty
 * @param rule          the Falco rule name
 * @param priority      the Falco priority
 * @param output        the output line as sent
 * @param outputText    the output without its {@code HH:MM:SS.nnnnnnnnn: Priority } prefix
 * @param time          the event time as sent (RFC 3339), may be empty
 * @param source        the event source, {@code syscall} when absent
 * @param hostname      the host that saw the event, may be empty
 * @param tags          the rule's tags
 * @param outputFields  output fields, as canonical strings (null becomes the empty string)
 * @param traceId       the sender's {@code trace_id}, as sent (empty when none); {@link TraceIds} decides whether
 *                      it is kept
 * @param context       the sender's {@code context} (upstream Falco Talon's extra event data), as canonical strings
 *
 * <p>Routes read it with Camel's simple language through these accessors: {@code ${body.rule}},
 * {@code ${body.podName}}, {@code ${body.namespace}}, {@code ${body.outputFields[proc.cmdline]}},
 * {@code ${body.priority}} (its display name), {@code ${body.outputText}}. There are deliberately no {@code getX()}
 * twins of these methods: Camel's bean introspection merges {@code getPodName()} and {@code podName()} into one
 * ambiguous operation when it happens to see the getter first (the order of reflection varies between JVM runs),
 * and {@code ${body.podName}} then fails with an AmbiguousMethodCallException.
 */
public record Event(
        String uuid,
        String rule,
        Priority priority,
        String output,
        String outputText,
        String time,
        String source,
        String hostname,
        List<String> tags,
        Map<String, String> outputFields,
        String traceId,
        Map<String, String> context) {

    public Event {
        tags = List.copyOf(tags);
        outputFields = Map.copyOf(outputFields);
        traceId = traceId == null ? "" : traceId;
        context = Map.copyOf(context);
    }

    /** An event without trace id or context. */
    public Event(String uuid, String rule, Priority priority, String output, String outputText, String time,
                 String source, String hostname, List<String> tags, Map<String, String> outputFields) {
        this(uuid, rule, priority, output, outputText, time, source, hostname, tags, outputFields, "", Map.of());
    }

    /** The value of an output field, or {@code null} when the event does not carry it. */
    public String field(String name) {
        return outputFields.get(name);
    }

    /** The first of the given output fields that is present and not empty, or {@code null}. */
    public String firstField(String... names) {
        for (String n : names) {
            String v = outputFields.get(n);
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return null;
    }

    /** Pod name: {@code k8s.pod.name}, else (Kubernetes audit events) {@code ka.target.pod.name} or {@code ka.target.name}. */
    public String podName() {
        return firstField("k8s.pod.name", "ka.target.pod.name", "ka.target.name");
    }

    /** Namespace: {@code k8s.ns.name}, else (Kubernetes audit events) {@code ka.target.namespace}. */
    public String namespace() {
        return firstField("k8s.ns.name", "ka.target.namespace");
    }

    /**
     * What the events of one pod share: {@code namespace/pod}, else (no pod) {@code host:<hostname>}. Events with
     * the same key go to the same worker (Kafka: the same partition) and never run concurrently.
     */
    public String podKey() {
        String pod = podName();
        return pod == null ? "host:" + hostname : namespace() + "/" + pod;
    }
}
