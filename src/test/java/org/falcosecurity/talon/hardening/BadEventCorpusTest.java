package org.falcosecurity.talon.hardening;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Endpoint;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The hostile-event corpus (src/test/resources/bad-events, made by its generate.py): every body gets the status its
 * file name announces — a specific 4xx with a JSON body, or 200 and safe processing — and never a 5xx, a stack trace
 * or an endpoint built from event data.
 */
class BadEventCorpusTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TalonTestServer talon;

    @BeforeAll
    static void start() throws Exception {
        talon = TalonTestServer.builder()
                .rules("- rule: everything\n  actions: [{action: log, actionner: custom:log, parameters: {message: corpus}}]\n")
                .env("DEDUPLICATION_TIME_WINDOW_SECONDS", "0")
                .env("PRINT_ALL_EVENTS", "true")
                .start();
    }

    @AfterAll
    static void stop() {
        talon.close();
    }

    private static Map<String, byte[]> corpus() throws Exception {
        Map<String, byte[]> bodies = new LinkedHashMap<>();
        Path dir = Path.of(BadEventCorpusTest.class.getClassLoader().getResource("bad-events").toURI());
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String n = p.getFileName().toString();
                if (n.matches("^\\d{3}-.*")) {
                    bodies.put(n, Files.readAllBytes(p));
                }
            }
        }
        // the big bodies are built here rather than committed
        String base = "{\"rule\":\"Corpus\",\"priority\":\"Critical\",\"output_fields\":{\"k8s.pod.name\":\"big\","
                + "\"k8s.ns.name\":\"default\"},\"output\":\"";
        bodies.put("200-generated-output-500k", (base + "A".repeat(500_000) + "\"}").getBytes());
        bodies.put("200-generated-field-900k", ("{\"rule\":\"Corpus\",\"priority\":\"Debug\",\"output_fields\":{\"x\":\""
                + "x".repeat(900_000) + "\"}}").getBytes());
        bodies.put("413-generated-output-2m", (base + "B".repeat(2_000_000) + "\"}").getBytes());
        bodies.put("413-generated-body-10m", (base + "C".repeat(10 * 1024 * 1024) + "\"}").getBytes());
        bodies.put("413-generated-garbage-2m", "x".repeat(2_000_000).getBytes());
        return bodies;
    }

    @Test
    void everyHostileBodyGetsItsAnnouncedAnswerAndNothingWorse() throws Exception {
        Map<String, byte[]> bodies = corpus();
        assertThat(bodies.size()).isGreaterThanOrEqualTo(100);
        HttpClient http = HttpClient.newHttpClient();
        int accepted = 0;
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : bodies.entrySet()) {
            int expected = Integer.parseInt(e.getKey().substring(0, 3));
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(talon.uri("/"))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(e.getValue())).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != expected) {
                wrong.add(e.getKey() + ": expected " + expected + ", got " + r.statusCode() + " " + r.body());
                continue;
            }
            assertThat(r.body()).as(e.getKey()).doesNotContain("Exception", "\tat ", "org.apache", "java.");
            if (expected == 200) {
                accepted++;
                assertThat(JSON.readTree(r.body()).path("status").asText()).isEqualTo("accepted");
            } else if (expected == 400) {
                JsonNode n = JSON.readTree(r.body());
                assertThat(n.path("error").asText()).as(e.getKey()).isNotEmpty();
                assertThat(n.path("message").asText()).as(e.getKey()).isNotEmpty();
            }
        }
        assertThat(wrong).isEmpty();

        // every accepted event was processed: one result each
        int expectedResults = accepted;
        await().atMost(Duration.ofSeconds(30)).until(() -> talon.results().size() >= expectedResults);
        assertThat(talon.results()).hasSize(expectedResults).allSatisfy(r -> assertThat(r.getStatus()).isEqualTo("success"));

        // no endpoint was ever built from event data
        for (Endpoint ep : talon.server().context().getEndpoints()) {
            assertThat(ep.getEndpointUri()).doesNotContain("attacker", "deletePod", "passwd", "pwned", "kube-system",
                    "victim", "jndi", "{{", "${");
        }
        assertThat(talon.server().runtime().counters().get("events_rejected", "reason", "internal_error")).isZero();
        assertThat(talon.send("GET", "/healthz", null, null).statusCode()).isEqualTo(200);
    }

    static String resource(String name) throws URISyntaxException {
        return Path.of(BadEventCorpusTest.class.getClassLoader().getResource(name).toURI()).toString();
    }
}
