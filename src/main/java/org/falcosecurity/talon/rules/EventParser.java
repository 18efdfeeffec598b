package org.falcosecurity.talon.rules;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the JSON a Falco sender posts into an {@link Event}, or a {@link BadEventException} that names the problem.
 *
 * <p>Top-level keys are matched case-insensitively ({@code rule} and {@code Rule}); unknown keys are ignored, as
 * Falco adds keys over time. Output-field values are made canonical strings:
 * <ul>
 *   <li>strings as they are;</li>
 *   <li>numbers without a fraction as plain integers ({@code 8080}, {@code 1234567890123}, also for {@code 8080.0}
 *       or {@code 8.08e3}); other numbers in plain decimal notation ({@code 0.5}); a number that would take more
 *       than {@value #MAX_PLAIN_DIGITS} digits before or after the point keeps its exponent ({@code 1E+400});</li>
 *   <li>booleans as {@code true} / {@code false}; {@code null} as the empty string;</li>
 *   <li>arrays as their canonical elements joined with {@code ,}; objects as compact JSON.</li>
 * </ul>
 *
 * <p>A body is read once off Jackson's token stream ({@link EventStreamReader}); a body that is not a well-formed
 * event is parsed again as a tree, whose path names the problem.
 */
public final class EventParser {

    /** The {@code HH:MM:SS.nnnnnnnnn: Priority } prefix Falco puts in front of {@code output}. */
    private static final Pattern OUTPUT_PREFIX = Pattern.compile(
            "^\\d{2}:\\d{2}:\\d{2}\\.\\d{1,9}: (?i:emergency|alert|critical|error|warning|notice|informational|info|debug) ");

    public static final int MAX_NESTING_DEPTH = 32;
    /** Numbers with more digits than this before or after the point keep their exponent ({@code 1E+400}). */
    static final int MAX_PLAIN_DIGITS = 100;
    /** The number in Jackson's message ({@code Value "0e-30000000000" can not be deserialized as ...}). */
    private static final Pattern QUOTED_VALUE = Pattern.compile("\"([0-9eE.+-]{1,100})\"");

    private final ObjectMapper mapper;
    /** The streaming path: the same limits. */
    private final EventStreamReader streamReader;

    public EventParser() {
        this(16 * 1024 * 1024);
    }

    /** @param maxStringLength the longest string value accepted (the body limit bounds it anyway) */
    public EventParser(int maxStringLength) {
        StreamReadConstraints limits = StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .maxStringLength(maxStringLength)
                .maxNumberLength(100)
                .build();
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(limits)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.mapper = JsonMapper.builder(factory)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
        this.streamReader = new EventStreamReader(limits);
    }

    public Event parse(byte[] body) throws BadEventException {
        Event event;
        try {
            event = stream(body);
        } catch (IOException | RuntimeException e) {
            // no body, not valid JSON, or a number out of range: the tree path below names the problem
            event = null;
        }
        return event != null ? event : parseTree(body);
    }

    /**
     * The reference path: the body as a Jackson tree, then {@link #parse(JsonNode)}. Every body the streaming path
     * does not turn into an event comes here, so a bad event's error is this path's, whatever the streaming path
     * stopped at; {@code EventParserStreamingTest} and {@code EventParserFuzzTest} check that both give the same
     * event for every body this one accepts.
     */
    Event parseTree(byte[] body) throws BadEventException {
        if (body == null || body.length == 0) {
            throw new BadEventException(null, "the request body is empty; expected a Falco event as a JSON object");
        }
        JsonNode root;
        try (JsonParser p = mapper.getFactory().createParser(body)) {
            root = mapper.readTree(p);
        } catch (JsonProcessingException e) {
            throw new BadEventException(null, "the request body is not valid JSON: " + e.getOriginalMessage()
                    + locationOf(e));
        } catch (IOException e) {
            throw new BadEventException(null, "the request body could not be read: " + e.getMessage());
        } catch (NumberFormatException e) {
            // a number of at most maxNumberLength characters whose exponent no BigDecimal holds ("0e-30000000000"):
            // found by EventParserFuzzTest
            Matcher m = QUOTED_VALUE.matcher(String.valueOf(e.getMessage()));
            throw new BadEventException(null, "the request body has a number out of range"
                    + (m.find() ? ": " + m.group(1) : ""));
        }
        return parse(root);
    }

    /** The fast path (the intake's): {@link EventStreamReader#read}; {@code null} for a body it does not take. */
    Event stream(byte[] body) throws IOException {
        return streamReader.read(body);
    }

    /** The event from its keys as sent ({@code null}: absent), with the defaults of both paths. */
    static Event event(String uuid, String rule, Priority priority, String output, String time, String source,
                               String hostname, List<String> tags, Map<String, String> fields, String traceId,
                               Map<String, String> context) {
        String text = orEmpty(output);
        return new Event(orEmpty(uuid), rule, priority, text, stripPrefix(text), orEmpty(time),
                source == null || source.isEmpty() ? "syscall" : source, orEmpty(hostname), tags, fields,
                orEmpty(traceId), context);
    }

    public Event parse(String body) throws BadEventException {
        return parse(body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Parses an already decoded JSON tree (used for JSON arrays of events and Kafka payloads). */
    public Event parse(JsonNode root) throws BadEventException {
        if (root == null || root.isMissingNode()) {
            throw new BadEventException(null, "the request body is empty; expected a Falco event as a JSON object");
        }
        if (!root.isObject()) {
            throw new BadEventException(null, "expected a Falco event as a JSON object, got " + typeName(root));
        }
        Map<String, JsonNode> top = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey().toLowerCase(Locale.ROOT);
            if (top.put(key, e.getValue()) != null) {
                throw new BadEventException(key, "the key '" + key + "' appears twice (keys are case-insensitive)");
            }
        }

        String rule = optionalString(top, "rule");
        if (rule == null || rule.isBlank()) {
            throw new BadEventException("rule", "the event has no 'rule' (the Falco rule name)");
        }
        String priorityText = optionalString(top, "priority");
        if (priorityText == null || priorityText.isBlank()) {
            throw new BadEventException("priority", "the event has no 'priority'");
        }
        Priority priority = Priority.parse(priorityText).orElseThrow(() -> new BadEventException("priority",
                "unknown priority '" + truncate(priorityText, 64) + "' (expected one of Debug, Informational,"
                        + " Notice, Warning, Error, Critical, Alert, Emergency)"));

        // each key checked in this order, so a body with several wrong keys names the same one every time
        String output = optionalString(top, "output");
        String source = optionalString(top, "source");
        List<String> tags = tags(top.get("tags"));
        Map<String, String> fields = outputFields(top.get("output_fields"));
        Map<String, String> context = objectOfStrings(top.get("context"), "context");
        String uuid = optionalString(top, "uuid");
        String time = optionalString(top, "time");
        String hostname = optionalString(top, "hostname");
        String traceId = optionalString(top, "trace_id");
        return event(uuid, rule, priority, output, time, source, hostname, tags, fields, traceId, context);
    }

    /** Removes Falco's {@code HH:MM:SS.nnnnnnnnn: Priority } prefix from an output line. */
    public static String stripPrefix(String output) {
        if (output == null) {
            return "";
        }
        Matcher m = OUTPUT_PREFIX.matcher(output);
        return m.find() ? output.substring(m.end()) : output;
    }

    /** The canonical string of a JSON value (see the class comment). */
    public static String canonical(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return "";
        }
        if (v.isTextual()) {
            return v.textValue();
        }
        if (v.isBoolean()) {
            return v.booleanValue() ? "true" : "false";
        }
        if (v.isIntegralNumber()) {
            return v.bigIntegerValue().toString();
        }
        if (v.isNumber()) {
            return canonical(v.decimalValue());
        }
        if (v.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode e : v) {
                if (sb.length() > 0) {
                    sb.append(',');
                }
                sb.append(canonical(e));
            }
            return sb.toString();
        }
        return v.toString();
    }

    /** A number with a fraction or an exponent, canonical (see the class comment). */
    static String canonical(BigDecimal number) {
        BigDecimal d = number.stripTrailingZeros();
        if (d.precision() - d.scale() > MAX_PLAIN_DIGITS || d.scale() > MAX_PLAIN_DIGITS) {
            // 1e999999999 in plain digits is a billion characters (and a BigInteger that long to compute)
            return d.toString();
        }
        return d.scale() <= 0 ? d.toBigInteger().toString() : d.toPlainString();
    }

    private static List<String> tags(JsonNode v) throws BadEventException {
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new BadEventException("tags", "'tags' must be an array of strings, got " + typeName(v));
        }
        List<String> tags = new ArrayList<>(v.size());
        int i = 0;
        for (JsonNode t : v) {
            if (!t.isTextual()) {
                throw new BadEventException("tags", "'tags[" + i + "]' must be a string, got " + typeName(t));
            }
            tags.add(t.textValue());
            i++;
        }
        return tags;
    }

    private static Map<String, String> outputFields(JsonNode v) throws BadEventException {
        return objectOfStrings(v, "output_fields");
    }

    /** {@code output_fields} or {@code context}: an object whose values become canonical strings. */
    private static Map<String, String> objectOfStrings(JsonNode v, String key) throws BadEventException {
        if (v == null || v.isNull()) {
            return Map.of();
        }
        if (!v.isObject()) {
            throw new BadEventException(key, "'" + key + "' must be a JSON object, got " + typeName(v));
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().isEmpty()) {
                throw new BadEventException(key, "'" + key + "' has an empty field name");
            }
            fields.put(e.getKey(), canonical(e.getValue()));
        }
        return fields;
    }

    private static String optionalString(Map<String, JsonNode> top, String key) throws BadEventException {
        JsonNode v = top.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new BadEventException(key, "'" + key + "' must be a string, got " + typeName(v));
        }
        return v.textValue();
    }

    private static String typeName(JsonNode v) {
        JsonNodeType t = v.getNodeType();
        return switch (t) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case STRING -> "a string";
            default -> t.name().toLowerCase(Locale.ROOT);
        };
    }

    private static String locationOf(JsonProcessingException e) {
        if (e.getLocation() == null || e.getLocation().getLineNr() < 0) {
            return "";
        }
        return " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }

    static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }
}
