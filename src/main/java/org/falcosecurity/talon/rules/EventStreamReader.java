package org.falcosecurity.talon.rules;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@link EventParser}'s fast path: the event read off Jackson's token stream, without a tree (the tree was 40 % of the
 * intake's CPU, BENCHMARKS.md). Twins are found here (the keys it reads; {@code FAIL_ON_READING_DUP_TREE_KEY} in the
 * values it reads as trees), which costs less than the parser's own check of every object.
 */
final class EventStreamReader {

    /** The same limits as the tree path, no duplicate check of their own. */
    private final JsonFactory streams;
    /** Reads one array or object value in the middle of the stream, refusing a key twice in it. */
    private final ObjectReader subtrees;

    EventStreamReader(StreamReadConstraints limits) {
        this.streams = JsonFactory.builder().streamReadConstraints(limits).build();
        this.subtrees = JsonMapper.builder(streams)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .build()
                .readerFor(JsonNode.class);
    }

    /**
     * The fast path (the intake's: no tree, no second map): reads the event's keys off Jackson's token stream,
     * reading past the ones Talon does not use. Returns {@code null} for anything that is not a well-formed event — a
     * root that is not an object, a missing or unknown priority, a value of the wrong type, a key twice, an empty
     * field name, trailing tokens — and throws on JSON that does not parse; {@link EventParser#parse(byte[])} then
     * takes the tree path, which names the problem. It accepts exactly what the tree path accepts, with the same
     * event.
     */
    Event read(byte[] body) throws IOException {
        try (JsonParser p = streams.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String rule = null;
            String priorityText = null;
            String output = null;
            String source = null;
            String uuid = null;
            String time = null;
            String hostname = null;
            String traceId = null;
            List<String> tags = List.of();
            Map<String, String> fields = Map.of();
            Map<String, String> context = Map.of();
            int seen = 0;
            Set<String> others = null;
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                JsonToken t = p.nextToken();
                String key = name.toLowerCase(Locale.ROOT);
                int bit = switch (key) {
                    case "rule" -> 1;
                    case "priority" -> 1 << 1;
                    case "output" -> 1 << 2;
                    case "source" -> 1 << 3;
                    case "uuid" -> 1 << 4;
                    case "time" -> 1 << 5;
                    case "hostname" -> 1 << 6;
                    case "trace_id" -> 1 << 7;
                    case "tags" -> 1 << 8;
                    case "output_fields" -> 1 << 9;
                    case "context" -> 1 << 10;
                    default -> 0;
                };
                if (bit == 0) {
                    // a key Talon does not read: only its case-insensitive twin matters (the tree path refuses it)
                    if (others == null) {
                        others = new HashSet<>();
                    }
                    if (!others.add(key)) {
                        return null;
                    }
                    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                        subtrees.readValue(p); // read, not skipped: a key twice in it is refused, as the tree path does
                    }
                    continue;
                }
                if ((seen & bit) != 0) {
                    return null;
                }
                seen |= bit;
                if (t == JsonToken.VALUE_NULL) {
                    continue; // as absent
                }
                if (bit <= 1 << 7) {
                    if (t != JsonToken.VALUE_STRING) {
                        return null;
                    }
                    String v = p.getText();
                    switch (bit) {
                        case 1 -> rule = v;
                        case 1 << 1 -> priorityText = v;
                        case 1 << 2 -> output = v;
                        case 1 << 3 -> source = v;
                        case 1 << 4 -> uuid = v;
                        case 1 << 5 -> time = v;
                        case 1 << 6 -> hostname = v;
                        default -> traceId = v;
                    }
                } else if (bit == 1 << 8) {
                    if (t != JsonToken.START_ARRAY || (tags = streamTags(p)) == null) {
                        return null;
                    }
                } else {
                    Map<String, String> m = t == JsonToken.START_OBJECT ? streamObject(p) : null;
                    if (m == null) {
                        return null;
                    }
                    if (bit == 1 << 9) {
                        fields = m;
                    } else {
                        context = m;
                    }
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                return null;
            }
            if (rule == null || rule.isBlank() || priorityText == null || priorityText.isBlank()) {
                return null;
            }
            Priority priority = Priority.parse(priorityText).orElse(null);
            if (priority == null) {
                return null;
            }
            return EventParser.event(uuid, rule, priority, output, time, source, hostname, tags, fields, traceId, context);
        }
    }

    /** The strings of a {@code tags} array (the parser at its START_ARRAY), or {@code null} when one is not. */
    private static List<String> streamTags(JsonParser p) throws IOException {
        List<String> tags = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.VALUE_STRING) {
                return null;
            }
            tags.add(p.getText());
        }
        return tags;
    }

    /**
     * An {@code output_fields} or {@code context} object (the parser at its START_OBJECT) with canonical values, or
     * {@code null} for an empty field name.
     */
    private Map<String, String> streamObject(JsonParser p) throws IOException {
        // sized for a Falco event's output fields (15-30) without rehashing
        Map<String, String> fields = new HashMap<>(64);
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            if (name.isEmpty()) {
                return null;
            }
            JsonToken t = p.nextToken();
            String v = switch (t) {
                case VALUE_STRING -> p.getText();
                case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                        ? p.getBigIntegerValue().toString() : Long.toString(p.getLongValue());
                case VALUE_NUMBER_FLOAT -> EventParser.canonical(p.getDecimalValue());
                case VALUE_TRUE -> "true";
                case VALUE_FALSE -> "false";
                case VALUE_NULL -> "";
                // arrays and objects (rare in output fields) as the tree path makes them
                default -> EventParser.canonical(subtrees.<JsonNode>readValue(p));
            };
            if (fields.put(name, v) != null) {
                return null; // a field twice
            }
        }
        return fields;
    }
}
