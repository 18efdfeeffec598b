package org.falcosecurity.talon.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The sample Falco events of src/test/resources/events (copies of ../shared/spec/events). */
public final class Events {

    private Events() {
    }

    public static String load(String name) {
        try (var in = Events.class.getClassLoader().getResourceAsStream("events/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test event " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path path(String name) {
        try {
            return Path.of(Events.class.getClassLoader().getResource("events/" + name).toURI());
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A minimal valid event with the given Falco rule, priority and output fields (JSON object text). */
    public static String event(String rule, String priority, String outputFieldsJson) {
        return "{\"rule\":\"" + rule + "\",\"priority\":\"" + priority + "\",\"output\":\"12:00:00.000000000: "
                + priority + " test output\",\"time\":\"2026-11-27T12:00:00Z\",\"source\":\"syscall\","
                + "\"hostname\":\"node-1\",\"tags\":[\"test\"],\"output_fields\":" + outputFieldsJson + "}";
    }

    /** The "Terminal shell in container" event at Notice, for the pod {@code namespace/pod}. */
    public static String shell(String namespace, String pod) {
        return event("Terminal shell in container", "Notice",
                "{\"k8s.ns.name\":\"" + namespace + "\",\"k8s.pod.name\":\"" + pod + "\"}");
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
