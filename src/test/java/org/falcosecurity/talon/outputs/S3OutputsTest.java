package org.falcosecurity.talon.outputs;

import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.LogCapture;
import org.falcosecurity.talon.support.S3ProxyServer;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * aws:s3 (through aws.endpoint, path-style, SigV4) and minio:s3 upload the artifact of an action to a real S3 API
 * server (S3Proxy, filesystem backend, in a second JVM); the test reads each object back through the S3 API and
 * checks its bytes, key and SHA-256 against the result record. Failures: no such bucket, the upload refused (403:
 * a wrong secret), an artifact over max_artifact_bytes; the spool is empty after each.
 */
class S3OutputsTest {

    private static final String BUCKET = "evidence";
    private static final String WRONG_SECRET = "wrong-secret-9876543210";
    private static S3ProxyServer s3;
    private static TalonTestServer talon;
    private static TalonTestServer refused;
    private static java.nio.file.Path spool;

    private static final String RULES = """
            - rule: s3
              match: {rules: [s3]}
              actions:
                - action: keep
                  actionner: test:artifact
                  parameters: {size: 3000000, seed: 7, name: /tmp/x/capture.pcap}
                  output:
                    target: aws:s3
                    parameters: {bucket: evidence, prefix: /captures/}
            - rule: s3-small
              match: {rules: [s3-small]}
              actions:
                - action: keep
                  actionner: test:artifact
                  parameters: {size: 1000, name: small.bin}
                  output: {target: aws:s3, parameters: {bucket: evidence}}
            - rule: minio
              match: {rules: [minio]}
              actions:
                - action: keep
                  actionner: test:artifact
                  parameters: {size: 70000, seed: 8, name: tcpdump.pcap}
                  output:
                    target: minio:s3
                    parameters: {bucket: evidence, prefix: m}
            - rule: s3-no-bucket
              match: {rules: [s3-no-bucket]}
              actions:
                - action: keep
                  actionner: test:artifact
                  output: {target: aws:s3, parameters: {bucket: no-such-bucket}}
            - rule: minio-no-bucket
              match: {rules: [minio-no-bucket]}
              actions:
                - action: keep
                  actionner: test:artifact
                  output: {target: minio:s3, parameters: {bucket: no-such-bucket}}
            - rule: too-big
              match: {rules: [too-big]}
              actions:
                - action: keep
                  actionner: test:artifact
                  parameters: {size: 5000001}
                  output: {target: aws:s3, parameters: {bucket: evidence}}
            """;

    private static String config(String secret) {
        return """
                print_all_events: false
                deduplication: {time_window_seconds: 0}
                max_artifact_bytes: 5000000
                aws:
                  region: us-east-1
                  access_key: %s
                  secret_key: %s
                  endpoint: %s
                minio:
                  endpoint: %s
                  access_key: %s
                  secret_key: %s
                """.formatted(S3ProxyServer.ACCESS_KEY, secret, s3.endpoint(), s3.hostPort(),
                S3ProxyServer.ACCESS_KEY, secret);
    }

    private static TalonTestServer talon(String secret) throws Exception {
        return TalonTestServer.builder().config(config(secret)).rules(RULES)
                .route("test-artifact.camel.yaml", TestArtifacts.ROUTE).bean("testArtifacts", new TestArtifacts())
                .property("talon.artifact.spool-directory", spool.toString())
                .property("talon.output.redelivery-delay-ms", "50")
                .withoutKubernetesCluster().start();
    }

    @BeforeAll
    static void start() throws Exception {
        s3 = S3ProxyServer.start(BUCKET);
        spool = Files.createTempDirectory("talon-spool");
        talon = talon(S3ProxyServer.SECRET_KEY);
        refused = talon(WRONG_SECRET);
    }

    @AfterAll
    static void stop() {
        if (talon != null) {
            talon.close();
        }
        if (refused != null) {
            refused.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    private static S3Client reader() {
        return S3Client.builder().endpointOverride(URI.create(s3.endpoint())).forcePathStyle(true)
                .region(Region.US_EAST_1).credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED).build();
    }

    private static void assertSpoolEmpty() throws Exception {
        try (Stream<java.nio.file.Path> files = Files.list(spool)) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    void awsS3StoresTheArtifactUnderItsKeyWithItsSha256() throws Exception {
        ActionResult r = TestArtifacts.run(talon, "s3");
        assertThat(r.getStatus()).as(r.getError()).isEqualTo("success");
        byte[] expected = TestArtifacts.bytes(3000000, 7);
        String key = r.getObjects().get("key");
        assertThat(key).matches("captures/\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\dZ_shop_web-1__tmp_x_capture\\.pcap");
        assertThat(r.getArtifact().location()).isEqualTo("s3://evidence/" + key);
        assertThat(r.getArtifact().size()).isEqualTo(expected.length);
        assertThat(r.getArtifact().sha256()).isEqualTo(TestArtifacts.sha256(expected));
        assertThat(r.getArtifact().name()).isEqualTo("/tmp/x/capture.pcap");
        try (S3Client c = reader()) {
            byte[] stored = c.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray();
            assertThat(TestArtifacts.sha256(stored)).isEqualTo(r.getArtifact().sha256());
            assertThat(stored).isEqualTo(expected);
        }
        assertThat(r.getJson()).contains("\"location\":\"s3://evidence/" + key + "\"");
        assertSpoolEmpty();
    }

    @Test
    void minioS3StoresTheArtifactInAnExistingBucket() throws Exception {
        ActionResult r = TestArtifacts.run(talon, "minio");
        assertThat(r.getStatus()).as(r.getError()).isEqualTo("success");
        byte[] expected = TestArtifacts.bytes(70000, 8);
        String key = r.getObjects().get("key");
        assertThat(key).matches("m/\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\dZ_shop_web-1_tcpdump\\.pcap");
        assertThat(r.getArtifact().location()).isEqualTo(s3.endpoint() + "/evidence/" + key);
        try (S3Client c = reader()) {
            byte[] stored = c.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray();
            assertThat(stored).isEqualTo(expected);
        }
        assertThat(r.getArtifact().sha256()).isEqualTo(TestArtifacts.sha256(expected));
        assertSpoolEmpty();
    }

    @Test
    void aMissingBucketFailsTheActionWithTheStoresAnswer() throws Exception {
        ActionResult r = TestArtifacts.run(talon, "s3-no-bucket");
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).startsWith("output aws:s3: HTTP 404 NoSuchBucket");
        assertThat(r.getArtifact().location()).isEmpty();
        ActionResult m = TestArtifacts.run(talon, "minio-no-bucket");
        assertThat(m.getStatus()).isEqualTo("failure");
        assertThat(m.getError()).isEqualTo("output minio:s3: the bucket 'no-such-bucket' does not exist on "
                + s3.endpoint());
        assertThat(s3.keys(BUCKET)).noneMatch(k -> k.contains("no-such-bucket"));
        assertSpoolEmpty();
    }

    @Test
    void aRefusedUploadIsTheActionsFailureAndNeverShowsTheSecret() throws Exception {
        try (LogCapture logs = LogCapture.openAtInfo()) {
            // a small artifact: S3Proxy answers a refused upload before it reads the body, so a large one can end
            // in a broken pipe (retried as a broken connection) instead of the 403
            ActionResult r = TestArtifacts.run(refused, "s3-small");
            assertThat(r.getStatus()).isEqualTo("failure");
            // a 403 is not retried
            assertThat(r.getError()).isEqualTo("output aws:s3: HTTP 403 SignatureDoesNotMatch: Forbidden");
            ActionResult m = TestArtifacts.run(refused, "minio");
            assertThat(m.getStatus()).isEqualTo("failure");
            assertThat(m.getError()).startsWith("output minio:s3: HTTP 403");
            for (ActionResult x : List.of(r, m)) {
                assertThat(x.getJson()).doesNotContain(WRONG_SECRET);
            }
            assertThat(logs.all()).doesNotContain(WRONG_SECRET);
        }
        assertSpoolEmpty();
    }

    @Test
    void anArtifactOverMaxArtifactBytesFailsAndIsNotStored() throws Exception {
        List<String> before = s3.keys(BUCKET);
        ActionResult r = TestArtifacts.run(talon, "too-big");
        assertThat(r.getStatus()).isEqualTo("failure");
        assertThat(r.getError()).contains("larger than max_artifact_bytes (5000000 bytes)");
        assertThat(s3.keys(BUCKET)).isEqualTo(before);
        assertSpoolEmpty();
    }
}
