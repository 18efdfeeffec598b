package org.falcosecurity.talon.config;

import org.falcosecurity.talon.notifiers.NotifierValidator;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Upstream Falco Talon's configuration (configuration/configuration.go, its config_example.yaml and the config.yaml
 * its Helm chart renders) loads here: every key it reads is known, under the same environment variable; the empty
 * notifier sections the chart always renders are "not configured" until something uses them.
 */
class UpstreamConfigTest {

    /** Every key upstream's configuration.go reads (viper: the env var is the key upper-cased, '.' → '_'). */
    private static final List<String> UPSTREAM_KEYS = List.of("listen_address", "listen_port", "rules_files",
            "watch_rules", "print_all_events", "kubeconfig", "log_format", "default_notifiers",
            "deduplication.leader_election", "deduplication.time_window_seconds", "otel.traces_enabled",
            "otel.metrics_enabled", "otel.collector_endpoint", "otel.collector_port",
            "otel.collector_use_insecure_grpc", "otel.timeout", "aws.region", "aws.access_key", "aws.secret_key",
            "aws.role_arn", "aws.external_id", "gcp.region", "gcp.credentials_path", "minio.endpoint",
            "minio.access_key", "minio.secret_key", "minio.use_ssl");

    @Test
    void everyKeyUpstreamReadsIsKnownUnderUpstreamsEnvironmentVariable() {
        for (String key : UPSTREAM_KEYS) {
            ConfigKey k = ConfigKey.ALL.stream().filter(c -> c.name().equals(key)).findFirst().orElse(null);
            assertThat(k).as(key).isNotNull();
            assertThat(k.envName()).isEqualTo(key.toUpperCase(java.util.Locale.ROOT).replace('.', '_'));
        }
    }

    @Test
    void upstreamsEnvironmentVariablesSetTheNewKeys() throws Exception {
        TalonConfig c = TalonConfig.parse("", "c.yaml", Map.of("OTEL_COLLECTOR_PORT", "4318",
                "OTEL_TRACES_ENABLED", "true", "DEDUPLICATION_LEADER_ELECTION", "false", "AWS_REGION", "eu-west-1",
                "MINIO_ENDPOINT", "minio.minio:9000", "MINIO_USE_SSL", "true", "GCP_REGION", "us-central1"));
        assertThat(c.otel().collectorPort()).isEqualTo(4318);
        assertThat(c.otel().tracesEnabled()).isTrue();
        assertThat(c.otel().collectorEndpoint()).isEqualTo("localhost");
        assertThat(c.otel().timeout()).isEqualTo(10);
        assertThat(c.deduplication().leaderElection()).isFalse();
        assertThat(c.aws().region()).isEqualTo("eu-west-1");
        assertThat(c.minio().endpoint()).isEqualTo("minio.minio:9000");
        assertThat(c.minio().useSsl()).isTrue();
        assertThat(c.gcp().region()).isEqualTo("us-central1");
        // upstream's defaults
        TalonConfig d = TalonConfig.parse("", "c.yaml", Map.of());
        assertThat(d.deduplication().leaderElection()).isTrue();
        assertThat(d.otel().collectorPort()).isEqualTo(4317);
        assertThat(d.otel().metricsEnabled()).isFalse();
    }

    @Test
    void theCloudSecretsAreNeverCamelProperties() throws Exception {
        TalonConfig c = TalonConfig.parse("""
                aws: {access_key: AKIAEXAMPLE, secret_key: aws-s3cret, region: eu-west-1}
                minio: {endpoint: minio:9000, access_key: minio-user, secret_key: minio-s3cret}
                """, "c.yaml", Map.of());
        Map<String, String> props = c.asProperties();
        assertThat(props).containsEntry("aws.region", "eu-west-1").containsEntry("minio.endpoint", "minio:9000")
                .doesNotContainKeys("aws.secret_key", "aws.access_key", "minio.secret_key", "minio.access_key");
        assertThat(props.values()).noneMatch(v -> v.contains("s3cret") || v.contains("AKIA"));
    }

    @Test
    void theNewKeysAreChecked() {
        assertThatThrownBy(() -> TalonConfig.parse("""
                otel: {collector_port: 70000, timeout: 0, collector_endpoint: "http://collector:4317"}
                aws: {access_key: AKIAEXAMPLE, region: Europe, role_arn: my-role}
                minio: {endpoint: "https://minio:9000", secret_key: x}
                deduplication: {leader_election: maybe}
                """, "c.yaml", Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
                        "c.yaml: deduplication.leader_election: must be true or false, got 'maybe'",
                        "c.yaml: otel.collector_port: must be between 1 and 65535, got 70000",
                        "c.yaml: otel.timeout: must be 1 or more, got 0",
                        "c.yaml: otel.collector_endpoint: expected a host name or address (the port is"
                                + " otel.collector_port), got 'http://collector:4317'",
                        "c.yaml: aws.secret_key: set both aws.access_key and aws.secret_key, or neither",
                        "c.yaml: aws.region: expected an AWS region such as eu-west-1, got 'Europe'",
                        "c.yaml: aws.role_arn: expected arn:aws:iam::<account>:role/<name>, got 'my-role'",
                        "c.yaml: minio.access_key: set both minio.access_key and minio.secret_key, or neither",
                        "c.yaml: minio.endpoint: expected host or host:port without a scheme (HTTPS is"
                                + " minio.use_ssl), got 'https://minio:9000'"));
        assertThatThrownBy(() -> TalonConfig.parse("otel: {collector_prot: 1}\n", "c.yaml", Map.of()))
                .hasMessageContaining("otel.collector_prot: unknown setting (did you mean otel.collector_port?)");
    }

    @Test
    void theConfigUpstreamsChartRendersLoadsAndItsEmptyNotifierSectionsAreNotConfigured() throws Exception {
        TalonConfig c = TalonConfig.parse(resource("upstream/charts/rendered/config.yaml"), "config.yaml", Map.of());
        assertThat(c.listenPort()).isEqualTo(2803);
        assertThat(c.defaultNotifiers()).containsExactly("k8sevents");
        assertThat(c.deduplication().timeWindowSeconds()).isEqualTo(5);
        assertThat(c.deduplication().leaderElection()).isTrue();
        assertThat(c.otel().collectorEndpoint()).isEqualTo("localhost"); // rendered empty: the default
        assertThat(c.notifiers()).containsKeys("slack", "webhook", "smtp", "loki", "elasticsearch");
        // none of them sets its required settings: not configured, so nothing to check or to start
        assertThat(NotifierValidator.configured(c)).isEmpty();
        assertThat(NotifierValidator.configProblems(c, true)).isEmpty();

        // used, the same empty section is an error that names the missing setting
        String used = resource("upstream/charts/rendered/config.yaml").replace("  - k8sevents", "  - k8sevents\n"
                + "  - slack\n  - smtp");
        TalonConfig u = TalonConfig.parse(used, "config.yaml", Map.of());
        assertThat(NotifierValidator.configProblems(u, true)).containsExactlyInAnyOrder(
                "notifiers.slack.webhook_url: required",
                "notifiers.smtp.host_port: required (host:port of the SMTP server)",
                "notifiers.smtp.from: required (an e-mail address)",
                "notifiers.smtp.to: required (a comma-separated list of addresses)");
        // a rule naming it is checked the same way
        assertThat(NotifierValidator.problems(c, List.of("loki"), true)).containsExactly("notifiers.loki.url: required");
        // one required setting set (here by the environment) makes the section configured, and fully checked
        TalonConfig e = TalonConfig.parse(resource("upstream/charts/rendered/config.yaml"), "config.yaml",
                Map.of("NOTIFIERS_SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T/B/X"));
        assertThat(NotifierValidator.configured(e)).containsExactly("slack");
        assertThat(NotifierValidator.configProblems(e, true)).isEmpty();
    }

    @Test
    void upstreamsConfigExamplesLoad() throws Exception {
        for (String f : List.of("upstream/falco-talon/config_example.yaml",
                "upstream/falco-talon/config_example-v0.3.0.yaml")) {
            TalonConfig c = TalonConfig.parse(resource(f), f, Map.of());
            assertThat(c.listenPort()).as(f).isEqualTo(2803); // "2803", a string there
            assertThat(c.rulesFiles()).containsExactly("./rules.yaml");
            assertThat(c.otel().tracesEnabled()).isTrue();
            assertThat(c.otel().collectorUseInsecureGrpc()).isTrue();
            assertThat(c.defaultNotifiers()).containsExactly("k8sevents");
            assertThat(NotifierValidator.configured(c)).containsExactly("slack");
            assertThat(NotifierValidator.configProblems(c, true)).isEmpty();
        }
    }

    static String resource(String name) throws IOException {
        try (InputStream in = UpstreamConfigTest.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
