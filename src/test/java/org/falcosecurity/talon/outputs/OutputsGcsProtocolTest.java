package org.falcosecurity.talon.outputs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * gcp:gcs against a loopback stand-in for Google Cloud Storage (no real GCS can run here): it speaks the JSON API's
 * resumable upload (POST /upload/storage/v1/b/{bucket}/o?uploadType=resumable, then PUTs with Content-Range) and the
 * OAuth token endpoint a service-account key names; the storage client's host is pointed at it with
 * {@code talon.gcp.storage-host}. The test checks the object's bytes, name and SHA-256, that the credentials came from
 * the key file gcp.credentials_path names, and the failures: no such bucket (404), refused (403).
 */
class OutputsGcsProtocolTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "ya29.talon-test-token";
    private static HttpServer gcs;
    private static TalonTestServer talon;
    private static final Map<String, byte[]> OBJECTS = new ConcurrentHashMap<>();
    private static final Map<String, ByteArrayOutputStream> SESSIONS = new ConcurrentHashMap<>();
    private static final Map<String, String> SESSION_OBJECT = new ConcurrentHashMap<>();
    private static final List<String> AUTHORIZATIONS = new CopyOnWriteArrayList<>();
    private static final Pattern START = Pattern.compile("^/upload/storage/v1/b/([^/]+)/o$");
    private static final Pattern RANGE = Pattern.compile("^bytes (\\*|(\\d+)-(\\d+))/(\\*|\\d+)$");

    private static final String RULES = """
            - rule: gcs
              match: {rules: [gcs]}
              actions:
                - action: keep
                  actionner: test:artifact
                  parameters: {size: 600000, seed: 11, name: /var/run/evil.bin}
                  output: {target: gcp:gcs, parameters: {bucket: evidence, prefix: /captures/}}
            - rule: gcs-missing
              match: {rules: [gcs-missing]}
              actions:
                - action: keep
                  actionner: test:artifact
                  output: {target: gcp:gcs, parameters: {bucket: nothing-here}}
            - rule: gcs-refused
              match: {rules: [gcs-refused]}
              actions:
                - action: keep
                  actionner: test:artifact
                  output: {target: gcp:gcs, parameters: {bucket: locked}}
            """;

    @BeforeAll
    static void start() throws Exception {
        gcs = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        gcs.createContext("/", OutputsGcsProtocolTest::handle);
        gcs.start();
        String base = "http://127.0.0.1:" + gcs.getAddress().getPort();
        Path key = Files.createTempFile("gcp-key", ".json");
        var kpg = KeyPairGenerator.getInstance("RSA");
        kpg.initialize(2048);
        String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(kpg.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
        Files.writeString(key, JSON.writeValueAsString(Map.of("type", "service_account", "project_id", "talon-test",
                "private_key_id", "k1", "private_key", pem, "client_email", "talon@talon-test.iam.gserviceaccount.com",
                "client_id", "1", "token_uri", base + "/token")));
        talon = TalonTestServer.builder()
                .config("print_all_events: false\ndeduplication: {time_window_seconds: 0}\ngcp:\n  credentials_path: "
                        + key + "\n")
                .rules(RULES).route("test-artifact.camel.yaml", TestArtifacts.ROUTE)
                .bean("testArtifacts", new TestArtifacts())
                .property("talon.gcp.storage-host", base)
                .property("talon.output.redelivery-delay-ms", "50")
                .withoutKubernetesCluster().start();
    }

    @AfterAll
    static void stop() {
        if (talon != null) {
            talon.close();
        }
        gcs.stop(0);
    }

    private static void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath();
            String query = x.getRequestURI().getRawQuery() == null ? "" : x.getRequestURI().getRawQuery();
            byte[] body = x.getRequestBody().readAllBytes();
            if (path.equals("/token") && x.getRequestMethod().equals("POST")) {
                if (!new String(body, StandardCharsets.UTF_8).contains("grant_type=urn")) {
                    error(x, 400, "invalid_grant", "not a JWT bearer grant");
                    return;
                }
                reply(x, 200, Map.of("access_token", TOKEN, "expires_in", 3600, "token_type", "Bearer"));
                return;
            }
            AUTHORIZATIONS.add(String.valueOf(x.getRequestHeaders().getFirst("Authorization")));
            Matcher start = START.matcher(path);
            if (x.getRequestMethod().equals("POST") && start.matches() && query.contains("uploadType=resumable")) {
                String bucket = start.group(1);
                if (bucket.equals("nothing-here")) {
                    error(x, 404, "notFound", "The specified bucket does not exist.");
                    return;
                }
                if (bucket.equals("locked")) {
                    error(x, 403, "forbidden", "talon@talon-test.iam.gserviceaccount.com does not have"
                            + " storage.objects.create access to the Google Cloud Storage object.");
                    return;
                }
                JsonNode meta = JSON.readTree(body);
                String id = UUID.randomUUID().toString();
                SESSIONS.put(id, new ByteArrayOutputStream());
                SESSION_OBJECT.put(id, bucket + "/" + meta.path("name").asText());
                x.getResponseHeaders().add("Location", "http://127.0.0.1:" + gcs.getAddress().getPort()
                        + "/upload/storage/v1/b/" + bucket + "/o?uploadType=resumable&upload_id=" + id);
                reply(x, 200, Map.of());
                return;
            }
            if (x.getRequestMethod().equals("PUT") && query.contains("upload_id=")) {
                String id = query.replaceAll(".*upload_id=([^&]+).*", "$1");
                ByteArrayOutputStream data = SESSIONS.get(id);
                Matcher r = RANGE.matcher(String.valueOf(x.getRequestHeaders().getFirst("Content-Range")));
                if (data == null || !r.matches()) {
                    error(x, 400, "invalid", "bad resumable request");
                    return;
                }
                data.write(body);
                long total = r.group(4).equals("*") ? -1 : Long.parseLong(r.group(4));
                if (total >= 0 && data.size() == total) {
                    byte[] all = data.toByteArray();
                    String object = SESSION_OBJECT.get(id);
                    OBJECTS.put(object, all);
                    CRC32C crc = new CRC32C();
                    crc.update(all);
                    int slash = object.indexOf('/');
                    reply(x, 200, Map.of("kind", "storage#object", "bucket", object.substring(0, slash),
                            "name", object.substring(slash + 1), "size", String.valueOf(all.length),
                            "generation", "1", "contentType", "application/octet-stream",
                            "md5Hash", Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5")
                                    .digest(all)),
                            "crc32c", Base64.getEncoder().encodeToString(ByteBuffer.allocate(4)
                                    .putInt((int) crc.getValue()).array())));
                } else {
                    if (data.size() > 0) {
                        x.getResponseHeaders().add("Range", "bytes=0-" + (data.size() - 1));
                    }
                    x.sendResponseHeaders(308, -1);
                }
                return;
            }
            error(x, 400, "invalid", "unexpected " + x.getRequestMethod() + " " + path);
        } catch (Exception e) {
            x.sendResponseHeaders(500, -1);
        }
    }

    private static void reply(HttpExchange x, int status, Object json) throws IOException {
        byte[] b = JSON.writeValueAsBytes(json);
        x.getResponseHeaders().add("Content-Type", "application/json; charset=UTF-8");
        x.sendResponseHeaders(status, b.length);
        x.getResponseBody().write(b);
    }

    private static void error(HttpExchange x, int status, String reason, String message) throws IOException {
        reply(x, status, Map.of("error", Map.of("code", status, "message", message,
                "errors", List.of(Map.of("domain", "global", "reason", reason, "message", message)))));
    }

    @Test
    void gcsStoresTheArtifactWithTheKeyFilesCredentials() throws Exception {
        ActionResult r = TestArtifacts.run(talon, "gcs");
        assertThat(r.getStatus()).as(r.getError()).isEqualTo("success");
        byte[] expected = TestArtifacts.bytes(600000, 11);
        String key = r.getObjects().get("key");
        assertThat(key).matches("captures/\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\dZ_shop_web-1__var_run_evil\\.bin");
        assertThat(r.getArtifact().location()).isEqualTo("gs://evidence/" + key);
        assertThat(OBJECTS.get("evidence/" + key)).isEqualTo(expected);
        assertThat(r.getArtifact().sha256()).isEqualTo(TestArtifacts.sha256(expected));
        assertThat(AUTHORIZATIONS).isNotEmpty().allMatch(a -> a.equals("Bearer " + TOKEN));
    }

    @Test
    void aMissingOrRefusedBucketFailsTheActionWithTheServicesAnswer() throws Exception {
        ActionResult missing = TestArtifacts.run(talon, "gcs-missing");
        assertThat(missing.getStatus()).isEqualTo("failure");
        assertThat(missing.getError()).startsWith("output gcp:gcs: HTTP 404")
                .contains("The specified bucket does not exist.");
        ActionResult refused = TestArtifacts.run(talon, "gcs-refused");
        assertThat(refused.getStatus()).isEqualTo("failure");
        assertThat(refused.getError()).startsWith("output gcp:gcs: HTTP 403").contains("storage.objects.create")
                .doesNotContain("retr");
        assertThat(OBJECTS.keySet()).noneMatch(k -> k.startsWith("nothing-here/") || k.startsWith("locked/"));
    }
}
