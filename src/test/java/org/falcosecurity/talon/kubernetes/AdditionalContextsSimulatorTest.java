package org.falcosecurity.talon.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.HttpReceiver;
import org.falcosecurity.talon.support.ScriptedHttpServer;
import org.falcosecurity.talon.support.ScriptedHttpServer.Answer;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.podFields;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.run;

/**
 * The additional contexts k8snode (the pod's node, on the fabric8 API simulator in CRUD mode) and aws (IMDSv2 on a
 * loopback metadata stand-in: a token PUT, then GETs with the token) in the payload of aws:lambda (a loopback
 * stand-in for the Lambda Invoke API) and in the result record.
 */
@EnableKubernetesMockClient(crud = true)
class AdditionalContextsSimulatorTest {

    static KubernetesMockServer server;
    static KubernetesClient client;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "AQAEAtalon-imds-session-token==";
    private static volatile boolean withProfile = true;
    private static ScriptedHttpServer imds;
    private static ScriptedHttpServer lambda;
    private static TalonTestServer talon;

    @BeforeAll
    static void start() throws Exception {
        imds = new ScriptedHttpServer(AdditionalContextsSimulatorTest::metadata);
        lambda = new ScriptedHttpServer(r -> Answer.of(200, "\"ok\""));
        talon = TalonTestServer.builder()
                .config("print_all_events: false\ndeduplication:\n  time_window_seconds: 0\naws:\n  region: eu-west-1\n"
                        + "  access_key: AKIATALONTEST0000002\n  secret_key: talon-test-secret\n  endpoint: "
                        + lambda.url() + "\n")
                .property("talon.aws.imds-endpoint", imds.url())
                .rules("""
                        - rule: both
                          match: {rules: [both]}
                          actions:
                            - action: Invoke with contexts
                              actionner: aws:lambda
                              additional_contexts: [k8snode, aws]
                              parameters: {aws_lambda_name: enrich}
                        """).kubernetesClient(client).start();
    }

    @AfterAll
    static void stop() {
        talon.close();
        imds.close();
        lambda.close();
    }

    @BeforeEach
    void clean() {
        server.reset();
        imds.clear();
        lambda.clear();
        withProfile = true;
    }

    /** IMDSv2: a PUT for a session token, then GETs that must carry it. */
    private static Answer metadata(HttpReceiver.Request r) {
        if (r.path().equals("/latest/api/token")) {
            return r.method().equals("PUT") && r.header("x-aws-ec2-metadata-token-ttl-seconds") != null
                    ? Answer.of(200, TOKEN) : Answer.of(400, "");
        }
        if (!r.method().equals("GET") || !TOKEN.equals(r.header("x-aws-ec2-metadata-token"))) {
            return Answer.of(401, "");
        }
        return switch (r.path()) {
            case "/latest/meta-data/iam/info" -> withProfile ? Answer.of(200, """
                    {"Code":"Success","LastUpdated":"2026-12-01T10:00:00Z",
                     "InstanceProfileArn":"arn:aws:iam::123456789012:instance-profile/falco-talon-node",
                     "InstanceProfileId":"AIPAEXAMPLEPROFILEID"}""") : Answer.of(404, "");
            case "/latest/meta-data/placement/region" -> Answer.of(200, "eu-west-1");
            default -> Answer.of(404, "");
        };
    }

    private static void podOnLabelledNode() {
        K8s.pod(client, "shop", "web-1", Map.of("app", "web"), null);
        client.resource(new NodeBuilder().withNewMetadata().withName("node-1")
                .addToLabels("kubernetes.io/hostname", "ip-10-0-1-7.eu-west-1.compute.internal")
                .addToLabels("node.kubernetes.io/instance-type", "m5.large")
                .addToLabels("kubernetes.io/role", "worker")
                .addToLabels("topology.kubernetes.io/region", "eu-west-1")
                .addToLabels("topology.kubernetes.io/zone", "eu-west-1b").endMetadata()
                .withNewSpec().withProviderID("aws:///eu-west-1b/i-0123456789abcdef0").endSpec().build()).create();
    }

    @Test
    void bothContextsAreInThePayloadAndTheResult() throws Exception {
        podOnLabelledNode();
        ActionResult r = run(talon, "both", podFields("shop", "web-1"));
        assertThat(r.getStatus()).as(r.getJson()).isEqualTo("success");
        Map<String, String> expected = Map.of(
                "node.hostname", "ip-10-0-1-7.eu-west-1.compute.internal",
                "node.instancetype", "m5.large",
                "node.role", "worker",
                "node.topology.region", "eu-west-1",
                "node.topology.zone", "eu-west-1b",
                "node.spec.providerid", "aws:///eu-west-1b/i-0123456789abcdef0",
                "aws.instance_profile_arn", "arn:aws:iam::123456789012:instance-profile/falco-talon-node",
                "aws.instance_profile_id", "AIPAEXAMPLEPROFILEID",
                "aws.region", "eu-west-1");
        assertThat(r.getContext()).containsAllEntriesOf(expected);
        JsonNode context = JSON.readTree(lambda.requests().get(0).body()).path("context");
        expected.forEach((k, v) -> assertThat(context.path(k).asText()).as(k).isEqualTo(v));
        assertThat(context.path("falco-talon.rule").asText()).isEqualTo("both");

        // IMDSv2 only: the token first, every read with it
        List<HttpReceiver.Request> calls = imds.requests();
        assertThat(calls).extracting(q -> q.method() + " " + q.path()).containsExactly("PUT /latest/api/token",
                "GET /latest/meta-data/iam/info", "GET /latest/meta-data/placement/region");
        assertThat(calls.subList(1, 3)).allSatisfy(q -> assertThat(q.header("x-aws-ec2-metadata-token"))
                .isEqualTo(TOKEN));
    }

    @Test
    void anInstanceWithoutProfileFailsTheActionBeforeTheFunctionIsCalled() throws Exception {
        podOnLabelledNode();
        withProfile = false;
        ActionResult r = run(talon, "both", podFields("shop", "web-1"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).isEqualTo("additional context aws: the instance metadata service answered 404 for"
                + " /latest/meta-data/iam/info (no instance profile attached)");
        assertThat(lambda.requests()).isEmpty();
    }

    @Test
    void aPodThatIsGoneFailsTheK8snodeContext() throws Exception {
        ActionResult r = run(talon, "both", podFields("shop", "gone-1"));
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).isEqualTo("additional context k8snode: pod shop/gone-1 not found");
        assertThat(lambda.requests()).isEmpty();
    }
}
