package org.falcosecurity.talon.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.RecordingNotifier;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.podFields;

/**
 * Actions with a {@code ttl} on the fabric8 API simulator: Talon reverts them when the ttl ends (labels and
 * annotations restored, the NetworkPolicy deleted, the node uncordoned), also after a restart between the action and
 * the expiry, and at once on {@code POST /undo}. Each revert reaches the rule's notifiers and the audit trail.
 */
@EnableKubernetesMockClient(crud = true)
class ReversibleActionsSimulatorTest {

    static KubernetesMockServer server;
    static KubernetesClient client;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "undo-test-token";
    private static final String RULES = """
            - rule: quarantine
              match: {rules: [quarantine]}
              actions:
                - action: Quarantine label
                  actionner: kubernetes:label
                  ttl: 2s
                  parameters:
                    labels: {quarantine: "yes", falco.org/suspicious: "true", app: ""}
                - action: Note
                  actionner: kubernetes:annotation
                  ttl: 2s
                  parameters:
                    annotations: {falco.org/reason: "a shell"}
            - rule: isolate
              match: {rules: [isolate]}
              actions:
                - action: Isolate
                  actionner: kubernetes:networkpolicy
                  ttl: 2s
            - rule: cordon
              match: {rules: [cordon]}
              actions:
                - action: Cordon
                  actionner: kubernetes:cordon
                  ttl: 2s
            - rule: long
              match: {rules: [long]}
              notifiers: [recorder]
              actions:
                - action: Long quarantine
                  actionner: kubernetes:label
                  ttl: 1h
                  parameters:
                    labels: {quarantine: "yes"}
            - rule: restart
              match: {rules: [restart]}
              actions:
                - action: Quarantine across a restart
                  actionner: kubernetes:label
                  ttl: 4s
                  parameters:
                    labels: {quarantine: "yes"}
            """;

    @TempDir
    Path dir;
    private final List<TalonTestServer> started = new ArrayList<>();
    private final RecordingNotifier recorded = new RecordingNotifier();

    private TalonTestServer talon(String notifiers) throws Exception {
        TalonTestServer t = TalonTestServer.builder()
                .config("""
                        print_all_events: false
                        auth: {token: %s}
                        deduplication: {time_window_seconds: 0}
                        default_notifiers: [%s]
                        audit: {file: %s}
                        """.formatted(TOKEN, notifiers, dir.resolve("audit.jsonl")))
                .rules(RULES)
                .route(RecordingNotifier.FILE, RecordingNotifier.ROUTE)
                .bean("recorded", recorded)
                .kubernetesClient(client)
                .start();
        started.add(t);
        return t;
    }

    @AfterEach
    void stop() {
        started.forEach(TalonTestServer::close);
    }

    private static HttpResponse<String> send(TalonTestServer t, String path, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(t.uri(path))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Posts an event with the token; returns its trace id once its {@code count} results are in. */
    private static String act(TalonTestServer t, String falcoRule, Map<String, ?> fields, int count)
            throws Exception {
        return actOn(t, "node-1", falcoRule, fields, count);
    }

    /** The same, seen by the Falco of {@code hostname} (event provenance: the pod must run on that node). */
    private static String actOn(TalonTestServer t, String hostname, String falcoRule, Map<String, ?> fields,
                                int count) throws Exception {
        String uuid = UUID.randomUUID().toString();
        assertThat(send(t, "/", ActionnerRun.event(uuid, falcoRule, fields, "syscall", hostname)).statusCode())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> results(t, uuid).size() >= count);
        assertThat(results(t, uuid)).extracting(ActionResult::getStatus).containsOnly("success");
        return uuid;
    }

    private static List<ActionResult> results(TalonTestServer t, String trace) {
        return t.results().stream().filter(r -> trace.equals(r.getTraceId())).toList();
    }

    private static void node(String name) {
        if (client.nodes().withName(name).get() == null) {
            K8s.node(client, name);
        }
    }

    private static Pod pod(String name) {
        return client.pods().inNamespace("default").withName(name).get();
    }

    private List<JsonNode> audit(String kind) throws Exception {
        Path f = dir.resolve("audit.jsonl");
        List<JsonNode> out = new ArrayList<>();
        if (Files.exists(f)) {
            for (String line : Files.readAllLines(f)) {
                JsonNode n = JSON.readTree(line);
                if (kind.equals(n.get("kind").asText())) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    @Test
    void labelsAndAnnotationsWithTtl2sAreRestoredTwoSecondsLater() throws Exception {
        TalonTestServer t = talon("recorder");
        node("node-1");
        K8s.pod(client, "default", "web-1", Map.of("app", "web", "quarantine", "no"), null);
        Instant before = Instant.now();
        String trace = act(t, "quarantine", podFields("default", "web-1"), 2);
        Pod changed = pod("web-1");
        assertThat(changed.getMetadata().getLabels()).containsEntry("quarantine", "yes")
                .containsEntry("falco.org/suspicious", "true").doesNotContainKey("app")
                .containsEntry("falco-talon/revert", "pending");
        assertThat(changed.getMetadata().getAnnotations()).containsEntry("falco.org/reason", "a shell")
                .containsKey("falco-talon/revert");
        JsonNode pending = JSON.readTree(changed.getMetadata().getAnnotations().get("falco-talon/revert"));
        assertThat(pending).hasSize(2);
        assertThat(pending.findValuesAsText("trace_id")).containsOnly(trace);
        assertThat(pending.findValuesAsText("kind")).containsExactly("labels", "annotations");

        await().atMost(Duration.ofSeconds(15)).until(() -> !pod("web-1").getMetadata().getLabels()
                .containsKey("falco-talon/revert"));
        assertThat(Duration.between(before, Instant.now())).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        Pod restored = pod("web-1");
        assertThat(restored.getMetadata().getLabels()).isEqualTo(Map.of("app", "web", "quarantine", "no"));
        Map<String, String> annotations = restored.getMetadata().getAnnotations();
        assertThat(annotations == null ? Map.of() : annotations).doesNotContainKeys("falco.org/reason",
                "falco-talon/revert");

        await().atMost(Duration.ofSeconds(10)).until(() -> recorded.withStatus("reverted").size() >= 2);
        assertThat(recorded.withStatus("reverted")).extracting(ActionResult::getAction)
                .containsExactlyInAnyOrder("Quarantine label", "Note");
        ActionResult r = recorded.withStatus("reverted").stream().filter(x -> x.getAction().equals("Quarantine label"))
                .findFirst().orElseThrow();
        assertThat(r.getTraceId()).isEqualTo(trace);
        assertThat(r.getRule()).isEqualTo("quarantine");
        assertThat(r.getObjects()).containsEntry("pod", "web-1").containsEntry("namespace", "default");
        assertThat(r.getMessage()).isEqualTo("pod default/web-1: labels restored: app=web, falco.org/suspicious"
                + " removed, quarantine=no (its ttl ended)");
        await().atMost(Duration.ofSeconds(10)).until(() -> audit("reverted").size() >= 2);
        assertThat(audit("reverted").get(0).get("trace_id").asText()).isEqualTo(trace);
    }

    @Test
    void aNetworkPolicyWithTtlIsDeletedAndACordonedNodeUncordoned() throws Exception {
        TalonTestServer t = talon("recorder");
        node("node-2");
        client.resource(K8s.podBuilder("default", "db-0", Map.of("app", "db")).editSpec().withNodeName("node-2")
                .endSpec().build()).create();
        // db-0 runs on node-2: the events come from node-2's Falco (provenance)
        actOn(t, "node-2", "isolate", podFields("default", "db-0"), 1);
        actOn(t, "node-2", "cordon", podFields("default", "db-0"), 1);
        NetworkPolicy np = client.network().v1().networkPolicies().inNamespace("default")
                .withName("falco-talon-db-0").get();
        assertThat(np).isNotNull();
        assertThat(np.getMetadata().getLabels()).containsEntry("falco-talon/revert", "pending");
        assertThat(client.nodes().withName("node-2").get().getSpec().getUnschedulable()).isTrue();

        await().atMost(Duration.ofSeconds(15)).until(() -> client.network().v1().networkPolicies()
                .inNamespace("default").withName("falco-talon-db-0").get() == null);
        await().atMost(Duration.ofSeconds(15)).until(() -> !Boolean.TRUE.equals(client.nodes().withName("node-2")
                .get().getSpec().getUnschedulable()));
        Node node = client.nodes().withName("node-2").get();
        assertThat(node.getMetadata().getLabels()).doesNotContainKey("falco-talon/revert");
        await().atMost(Duration.ofSeconds(10)).until(() -> recorded.withStatus("reverted").size() >= 2);
        assertThat(recorded.withStatus("reverted")).extracting(ActionResult::getMessage).containsExactlyInAnyOrder(
                "NetworkPolicy default/falco-talon-db-0 deleted (its ttl ended)",
                "node node-2 uncordoned (schedulable) (its ttl ended)");
    }

    @Test
    void aRecordedRevertNeverDeletesAPolicyTalonDoesNotManage() throws Exception {
        // someone who may annotate a policy must not make Talon delete it
        client.resource(new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder()
                .withNewMetadata().withName("hand-made").withNamespace("default")
                .addToLabels("falco-talon/revert", "pending")
                .addToAnnotations("falco-talon/revert", "[{\"id\":\"x\",\"expires\":\"2020-01-01T00:00:00Z\","
                        + "\"trace_id\":\"forged\",\"rule\":\"r\",\"action\":\"a\",\"actionner\":"
                        + "\"kubernetes:networkpolicy\",\"kind\":\"delete-policy\",\"set\":{},\"old\":{}}]")
                .endMetadata().withNewSpec().withNewPodSelector().endPodSelector().endSpec().build()).create();
        talon("recorder");
        await().atMost(Duration.ofSeconds(15)).until(() -> !client.network().v1().networkPolicies()
                .inNamespace("default").withName("hand-made").get().getMetadata().getLabels()
                .containsKey("falco-talon/revert"));
        assertThat(client.network().v1().networkPolicies().inNamespace("default").withName("hand-made").get())
                .isNotNull();
        await().atMost(Duration.ofSeconds(10)).until(() -> !recorded.withStatus("reverted").isEmpty());
        assertThat(recorded.withStatus("reverted").get(0).getMessage()).isEqualTo("default/hand-made is not a"
                + " NetworkPolicy managed by Falco Talon: not deleting it (its ttl ended)");
    }

    @Test
    void aRestartBetweenTheActionAndTheExpiryStillReverts() throws Exception {
        TalonTestServer first = talon("recorder");
        node("node-1");
        K8s.pod(client, "default", "api-1", Map.of("app", "api"), null);
        String trace = act(first, "restart", podFields("default", "api-1"), 1);
        assertThat(pod("api-1").getMetadata().getLabels()).containsEntry("quarantine", "yes");
        first.close();
        started.remove(first);
        // nothing runs the revert while no Talon is up; a new one on the same cluster finds it on the pod
        TalonTestServer second = talon("recorder");
        await().atMost(Duration.ofSeconds(20)).until(() -> !pod("api-1").getMetadata().getLabels()
                .containsKey("quarantine"));
        assertThat(pod("api-1").getMetadata().getLabels()).isEqualTo(Map.of("app", "api"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !recorded.withStatus("reverted").isEmpty());
        assertThat(recorded.withStatus("reverted").get(0).getTraceId()).isEqualTo(trace);
        assertThat(second.server().runtime().counters().get("actions", "actionner", "kubernetes:label", "status",
                "reverted")).isEqualTo(1);
    }

    @Test
    void postUndoRevertsAtOnceAndNeedsTheToken() throws Exception {
        TalonTestServer t = talon("");
        node("node-1");
        K8s.pod(client, "default", "web-9", Map.of("app", "web"), null);
        String trace = act(t, "long", podFields("default", "web-9"), 1);
        assertThat(pod("web-9").getMetadata().getLabels()).containsEntry("quarantine", "yes");

        HttpResponse<String> noToken = HttpClient.newHttpClient().send(HttpRequest.newBuilder(t.uri("/undo"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"trace_id\":\"" + trace + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(noToken.statusCode()).isEqualTo(401);
        assertThat(pod("web-9").getMetadata().getLabels()).containsEntry("quarantine", "yes");
        HttpResponse<String> bad = send(t, "/undo", "{\"trace_id\":\"a b\\n\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("trace_id must be");

        HttpResponse<String> undo = send(t, "/undo", "{\"trace_id\":\"" + trace + "\"}");
        assertThat(undo.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(undo.body());
        assertThat(body.get("status").asText()).isEqualTo("reverted");
        assertThat(body.at("/reverted/0/action").asText()).isEqualTo("Long quarantine");
        assertThat(body.at("/reverted/0/message").asText()).endsWith("(undo)");
        // at once: the answer comes after the patch
        assertThat(pod("web-9").getMetadata().getLabels()).isEqualTo(Map.of("app", "web"));
        // the rule's own notifier gets the revert
        await().atMost(Duration.ofSeconds(10)).until(() -> !recorded.withStatus("reverted").isEmpty());
        assertThat(recorded.withStatus("reverted").get(0).getRule()).isEqualTo("long");

        HttpResponse<String> again = send(t, "/undo", "{\"trace_id\":\"" + trace + "\"}");
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(again.body()).get("error").asText()).isEqualTo("nothing_to_undo");
    }

    @Test
    void theUndoCommandRevertsThroughTheKubeconfig() throws Exception {
        TalonTestServer t = talon("");
        node("node-1");
        K8s.pod(client, "default", "web-7", Map.of("app", "web"), null);
        String trace = act(t, "long", podFields("default", "web-7"), 1);
        Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters: [{name: sim, cluster: {server: "%s", insecure-skip-tls-verify: true}}]
                users: [{name: u, user: {token: x}}]
                contexts: [{name: c, context: {cluster: sim, user: u, namespace: default}}]
                current-context: c
                """.formatted(client.getMasterUrl()));
        Path config = Files.writeString(dir.resolve("cli.yaml"), "kubeconfig: " + kubeconfig + "\n");
        org.falcosecurity.talon.cli.CliAccess.Result r = org.falcosecurity.talon.cli.CliAccess.run("undo", "-c",
                config.toString(), "--trace-id", trace);
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode result = JSON.readTree(r.out().lines().findFirst().orElseThrow());
        assertThat(result.get("status").asText()).isEqualTo("reverted");
        assertThat(result.get("trace_id").asText()).isEqualTo(trace);
        assertThat(pod("web-7").getMetadata().getLabels()).isEqualTo(Map.of("app", "web"));
        org.falcosecurity.talon.cli.CliAccess.Result none = org.falcosecurity.talon.cli.CliAccess.run("undo", "-c",
                config.toString(), "--trace-id", trace);
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).contains("no pending revert has trace id " + trace);
    }
}
