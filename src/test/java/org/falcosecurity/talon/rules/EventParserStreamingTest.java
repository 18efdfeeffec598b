package org.falcosecurity.talon.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The intake's streaming path ({@link EventParser#stream}) against the tree path ({@link EventParser#parseTree}), the
 * reference: for every body the tree path accepts, the streaming path gives an equal event; for every body it
 * refuses, the streaming path gives none, and {@link EventParser#parse(byte[])} answers the tree path's error. The
 * bodies: every event, bad event and fuzz seed of the test resources, each hostile value in each event field, and
 * 20,000 generated event-shaped bodies (keys in any case, values of every JSON type, numbers in every notation,
 * nesting, twins at every depth, unknown keys, trailing tokens).
 */
class EventParserStreamingTest {

    private static final Path RESOURCES = Path.of("src/test/resources");
    private final EventParser parser = new EventParser(1024 * 1024);
    private int accepted;
    private int refused;

    @Test
    void agreesWithTheTreePathOnEveryBodyOfTheTestResources() throws IOException {
        List<byte[]> bodies = new ArrayList<>();
        for (String dir : List.of("events", "bad-events", "org/falcosecurity/talon/rules/EventParserFuzzTestInputs")) {
            try (Stream<Path> files = Files.walk(RESOURCES.resolve(dir))) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    byte[] b = Files.readAllBytes(f);
                    bodies.add(b);
                    if (f.toString().endsWith(".jsonl")) {
                        for (String line : new String(b, StandardCharsets.UTF_8).split("\n")) {
                            bodies.add(line.getBytes(StandardCharsets.UTF_8));
                        }
                    }
                }
            }
        }
        ObjectMapper json = new ObjectMapper();
        for (JsonNode v : json.readTree(RESOURCES.resolve("hostile-values.json").toFile())) {
            String s = json.writeValueAsString(v.asText());
            for (String key : List.of("rule", "output", "hostname", "source", "uuid", "trace_id")) {
                bodies.add(("{\"rule\":\"r\",\"priority\":\"Notice\",\"" + key + "\":" + s
                        + ",\"output_fields\":{\"k8s.pod.name\":" + s + "," + s + ":1}}")
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        bodies.forEach(this::agree);
        assertThat(bodies).hasSizeGreaterThan(300);
        assertThat(accepted).as("bodies both paths accept").isGreaterThan(100);
        assertThat(refused).as("bodies both paths refuse").isGreaterThan(80);
    }

    @Test
    void agreesWithTheTreePathOnGeneratedEvents() {
        Random random = new Random(19);
        for (int i = 0; i < 20_000; i++) {
            agree(generated(random).getBytes(StandardCharsets.UTF_8));
        }
        // the generator makes both kinds in numbers, so a path that accepted or refused everything would show
        assertThat(accepted).as("generated bodies both paths accept").isGreaterThan(2_000);
        assertThat(refused).as("generated bodies both paths refuse").isGreaterThan(2_000);
    }

    @Test
    void streamsAFalcoEventWithEveryKindOfValue() throws Exception {
        Event e = parser.stream(("{\"Rule\":\"Write below etc\",\"priority\":\"Error\",\"output\":"
                + "\"16:20:00.000000001: Error File below /etc\",\"tags\":[\"fs\",\"T1098\"],\"unknown\":{\"a\":[1,{}]},"
                + "\"output_fields\":{\"fd.name\":\"/etc/x\",\"proc.pid\":4242,\"big\":123456789012345678901234567890,"
                + "\"f\":8.08e3,\"g\":0.50,\"t\":true,\"n\":null,\"a\":[\"x\",2,null],\"o\":{\"k\":\"v\"}},"
                + "\"context\":{\"aws.region\":\"eu-west-1\"},\"trace_id\":\"t-1\"}")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(e).isNotNull();
        assertThat(e.rule()).isEqualTo("Write below etc");
        assertThat(e.priority()).isEqualTo(Priority.ERROR);
        assertThat(e.outputText()).isEqualTo("File below /etc");
        assertThat(e.source()).isEqualTo("syscall");
        assertThat(e.tags()).containsExactly("fs", "T1098");
        assertThat(e.outputFields()).containsEntry("fd.name", "/etc/x").containsEntry("proc.pid", "4242")
                .containsEntry("big", "123456789012345678901234567890").containsEntry("f", "8080")
                .containsEntry("g", "0.5").containsEntry("t", "true").containsEntry("n", "")
                .containsEntry("a", "x,2,").containsEntry("o", "{\"k\":\"v\"}").hasSize(9);
        assertThat(e.context()).containsExactlyEntriesOf(java.util.Map.of("aws.region", "eu-west-1"));
        assertThat(e.traceId()).isEqualTo("t-1");
    }

    private void agree(byte[] body) {
        Event tree;
        BadEventException treeError = null;
        try {
            tree = parser.parseTree(body);
        } catch (BadEventException e) {
            tree = null;
            treeError = e;
        }
        Event streamed;
        try {
            streamed = body.length == 0 ? null : parser.stream(body);
        } catch (IOException | RuntimeException notJson) {
            streamed = null;
        }
        String shown = new String(body, StandardCharsets.UTF_8);
        if (tree != null) {
            accepted++;
            assertThat(streamed).as("the streaming path's event for %s", shown).isEqualTo(tree);
        } else {
            refused++;
            assertThat(streamed).as("the streaming path refuses %s", shown).isNull();
            BadEventException answered = catchThrowableOfType(BadEventException.class, () -> parser.parse(body));
            assertThat(answered).as("parse's error for %s", shown).isNotNull()
                    .hasMessage(treeError.getMessage());
            assertThat(answered.field()).isEqualTo(treeError.field());
        }
    }

    private static final String[] KEYS = {"rule", "priority", "output", "source", "uuid", "time", "hostname",
        "trace_id", "tags", "output_fields", "context", "extra", "Extra", "output_field", "priorities"};
    private static final String[] PRIORITIES = {"Notice", "critical", "WARNING", "Informational", "info", "Severe",
        "", " ", ">=Critical", "Debug", "emergency"};
    private static final String[] NUMBERS = {"0", "-0", "42", "-7", "9223372036854775807", "9223372036854775808",
        "123456789012345678901234567890", "1.0", "0.50", "8.08e3", "1e99", "1e100", "1E+400", "-1e-999999999",
        "12.5e-3", "2.5E2", "1e-101", "0.000", "-0.0", "3.14159265358979323846264338327950288"};

    /** An event-shaped JSON text: mostly well-formed events, with one change or more in many of them. */
    private static String generated(Random r) {
        StringBuilder sb = new StringBuilder("{");
        List<String> keys = new ArrayList<>(List.of("rule", "priority", "output", "output_fields"));
        for (int i = r.nextInt(5); i > 0; i--) {
            keys.add(KEYS[r.nextInt(KEYS.length)]);
        }
        if (r.nextInt(6) == 0) {
            keys.remove(r.nextInt(keys.size()));
        }
        java.util.Collections.shuffle(keys, r);
        java.util.Set<String> exact = new java.util.HashSet<>();
        boolean first = true;
        for (String key : keys) {
            String k = r.nextInt(5) == 0 ? mixedCase(key, r) : key;
            if (!exact.add(k) && r.nextInt(4) != 0) {
                continue; // an exact twin is a JSON error both paths see the same way: rarely worth a body
            }
            sb.append(first ? "" : ",").append('"').append(k).append("\":");
            first = false;
            boolean odd = r.nextInt(8) == 0;
            switch (key) {
                case "priority" -> sb.append(odd ? value(r, 1) : quoted(PRIORITIES[r.nextInt(PRIORITIES.length)]));
                case "tags" -> sb.append(odd ? value(r, 1) : "[\"container\",\"T1059\"]");
                case "output_fields", "context" -> sb.append(odd ? value(r, 1) : fields(r));
                case "output" -> sb.append(odd ? value(r, 1)
                        : quoted(r.nextBoolean() ? "13:54:29.996542100: Notice A shell" : "no prefix"));
                default -> sb.append(odd || key.startsWith("extra") || key.startsWith("Extra") ? value(r, 2)
                        : quoted(r.nextInt(10) == 0 ? "" : "v" + r.nextInt(100)));
            }
        }
        sb.append('}');
        switch (r.nextInt(40)) {
            case 0 -> sb.append(" {}");
            case 1 -> sb.setLength(sb.length() - 1 - r.nextInt(Math.max(1, sb.length() - 1)));
            case 2 -> sb.append("  \n");
            default -> { }
        }
        return sb.toString();
    }

    private static String fields(Random r) {
        StringBuilder sb = new StringBuilder("{");
        int n = r.nextInt(7);
        for (int i = 0; i < n; i++) {
            String name = r.nextInt(30) == 0 ? "" : r.nextInt(10) == 0 ? "k8s.pod.name" : "f" + r.nextInt(6);
            sb.append(i == 0 ? "" : ",").append(quoted(name)).append(':').append(value(r, 3));
        }
        return sb.append('}').toString();
    }

    private static String value(Random r, int depth) {
        int kind = r.nextInt(depth > 0 ? 8 : 6);
        return switch (kind) {
            case 0, 1 -> quoted("s" + r.nextInt(1000) + (r.nextInt(8) == 0 ? "\\n\\u0000é" : ""));
            case 2 -> NUMBERS[r.nextInt(NUMBERS.length)];
            case 3 -> r.nextBoolean() ? "true" : "false";
            case 4 -> "null";
            case 5 -> r.nextInt(3) == 0 ? "[]" : "{}";
            case 6 -> "[" + value(r, depth - 1) + "," + value(r, depth - 1) + "]";
            default -> "{\"a\":" + value(r, depth - 1) + (r.nextInt(6) == 0 ? ",\"a\":" : ",\"b\":")
                    + value(r, depth - 1) + "}";
        };
    }

    private static String mixedCase(String key, Random r) {
        StringBuilder sb = new StringBuilder(key.length());
        for (char c : key.toCharArray()) {
            sb.append(r.nextBoolean() ? Character.toUpperCase(c) : c);
        }
        return sb.toString();
    }

    private static String quoted(String s) {
        return '"' + s + '"';
    }
}
