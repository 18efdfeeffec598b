package org.falcosecurity.talon.outputs;

import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.notifiers.ResultFields;
import org.falcosecurity.talon.support.HttpReceiver;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The YAML-only example target http:put (routes/output-http-put.camel.yaml) against a real loopback HTTP receiver:
 * the artifact arrives with its SHA-256, no Talon header goes on the wire, a 503 is retried with back-off until the
 * upload succeeds, a 403 fails the action at once with the receiver's answer; the spool is empty afterwards. The
 * result's location is what every notifier shows.
 */
class HttpPutOutputTest {

    private static final String RULES = """
            - rule: put
              match: {rules: [put]}
              actions:
                - action: keep
                  actionner: test:artifact
                  parameters: {size: 4000, seed: 5, name: notes.txt}
                  output: {target: http:put, parameters: {url: "%s/evidence"}}
            """;

    private static TalonTestServer talon(HttpReceiver receiver, Path spool) throws Exception {
        return TalonTestServer.builder()
                .config("print_all_events: false\ndeduplication: {time_window_seconds: 0}\n")
                .rules(RULES.formatted(receiver.url())).route("test-artifact.camel.yaml", TestArtifacts.ROUTE)
                .bean("testArtifacts", new TestArtifacts())
                .property("talon.artifact.spool-directory", spool.toString())
                .property("talon.output.redelivery-delay-ms", "100")
                .withoutKubernetesCluster().start();
    }

    @Test
    void aFailingReceiverIsRetriedWithBackOffThenTheArtifactIsStored() throws Exception {
        Path spool = Files.createTempDirectory("talon-spool");
        try (HttpReceiver receiver = HttpReceiver.answering(201).failingFirst(2, 503);
             TalonTestServer talon = talon(receiver, spool)) {
            ActionResult r = TestArtifacts.run(talon, "put");
            assertThat(r.getStatus()).as(r.getError()).isEqualTo("success");
            List<HttpReceiver.Request> requests = receiver.await(3);
            assertThat(requests).hasSize(3).allSatisfy(q -> {
                assertThat(q.method()).isEqualTo("PUT");
                assertThat(q.path()).matches("/evidence/\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\dZ_shop_web-1_notes\\.txt");
                assertThat(q.header("x-checksum-sha256")).isEqualTo(r.getArtifact().sha256());
                assertThat(q.headers().keySet()).noneMatch(h -> h.startsWith("talon"));
            });
            byte[] sent = TestArtifacts.bytes(4000, 5);
            assertThat(r.getArtifact().sha256()).isEqualTo(TestArtifacts.sha256(sent));
            String location = receiver.url() + requests.get(2).path();
            assertThat(r.getArtifact().location()).isEqualTo(location);
            assertThat(ResultFields.of(r)).anySatisfy(f -> assertThat(f.toString()).contains(location,
                    r.getArtifact().sha256()));
            assertThat(ResultFields.summary(r)).contains(location);
            try (var left = Files.list(spool)) {
                assertThat(left.toList()).isEmpty();
            }
        }
    }

    @Test
    void aRefusalIsNotRetriedAndIsTheActionsError() throws Exception {
        Path spool = Files.createTempDirectory("talon-spool");
        try (HttpReceiver receiver = HttpReceiver.answering(403); TalonTestServer talon = talon(receiver, spool)) {
            ActionResult r = TestArtifacts.run(talon, "put");
            assertThat(r.getStatus()).isEqualTo("failure");
            assertThat(r.getError()).isEqualTo("output http:put: HTTP 403 Forbidden");
            assertThat(r.getArtifact().location()).isEmpty();
            Thread.sleep(500);
            assertThat(receiver.requests()).hasSize(1);
            try (var left = Files.list(spool)) {
                assertThat(left.toList()).isEmpty();
            }
        }
    }
}
