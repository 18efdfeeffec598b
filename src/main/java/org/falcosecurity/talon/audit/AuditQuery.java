package org.falcosecurity.talon.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads an audit trail back ({@code falco-talon audit}): the file and its rotated predecessors, oldest first, keeping
 * the records that pass every filter given.
 *
 * @param traceId   only this trace id, or {@code null}
 * @param namespace with {@code pod}: only records about that pod, or {@code null}
 * @param pod       the pod name, or {@code null}
 * @param since     only records at or after this time, or {@code null}
 */
public record AuditQuery(String traceId, String namespace, String pod, Instant since) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The files of a trail, oldest first: {@code file.N} ... {@code file.1}, {@code file}. */
    public static List<Path> files(Path file) {
        List<Path> out = new ArrayList<>();
        for (int n = 1; Files.exists(AuditFile.rotated(file, n)); n++) {
            out.add(0, AuditFile.rotated(file, n));
        }
        if (Files.exists(file)) {
            out.add(file);
        }
        return out;
    }

    public boolean matches(JsonNode r) {
        if (traceId != null && !traceId.equals(r.path("trace_id").asText())) {
            return false;
        }
        if (pod != null && !(pod.equals(r.path("objects").path("pod").asText())
                && namespace.equals(r.path("objects").path("namespace").asText()))) {
            return false;
        }
        if (since != null) {
            try {
                return !Instant.parse(r.path("time").asText()).isBefore(since);
            } catch (DateTimeParseException e) {
                return false;
            }
        }
        return true;
    }

    /**
     * Gives every matching line of the trail to {@code out}, as it is in the file; returns the count of lines that
     * are not audit records (skipped).
     */
    public int run(Path file, Consumer<String> out) throws IOException {
        int skipped = 0;
        for (Path p : files(file)) {
            try (BufferedReader in = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode r;
                    try {
                        r = JSON.readTree(line);
                    } catch (IOException e) {
                        skipped++;
                        continue;
                    }
                    if (r == null || !r.isObject() || !r.has("kind")) {
                        skipped++;
                    } else if (matches(r)) {
                        out.accept(line);
                    }
                }
            }
        }
        return skipped;
    }
}
