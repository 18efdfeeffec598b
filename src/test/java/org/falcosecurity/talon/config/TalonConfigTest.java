package org.falcosecurity.talon.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TalonConfigTest {

    @Test
    void defaultsMatchTheReference() throws Exception {
        TalonConfig c = TalonConfig.parse(null, "none", Map.of());
        assertThat(c.listenAddress()).isEqualTo("0.0.0.0");
        assertThat(c.listenPort()).isEqualTo(2803);
        assertThat(c.watchRules()).isTrue();
        assertThat(c.printAllEvents()).isTrue();
        assertThat(c.logFormat()).isEqualTo("color");
        assertThat(c.dryRun()).isFalse();
        assertThat(c.defaultNotifiers()).isEmpty();
        assertThat(c.rulesFiles()).isEmpty();
        assertThat(c.kubeconfig()).isEmpty();
    }

    @Test
    void readsTheFileAndEnvironmentOverridesIt() throws Exception {
        String yaml = """
                listen_address: "127.0.0.1"
                listen_port: "2804"
                rules_files: ./rules.yaml
                default_notifiers: [slack]
                dry_run: false
                notifiers:
                  slack:
                    webhook_url: "https://hooks.slack.com/services/XXXX"
                    username: "Falco Talon"
                    footer: ""
                """;
        TalonConfig c = TalonConfig.parse(yaml, "c.yaml", Map.of(
                "LISTEN_PORT", "2900",
                "DRY_RUN", "true",
                "DEFAULT_NOTIFIERS", "slack, k8sevents",
                "NOTIFIERS_SLACK_USERNAME", "Talon",
                "NOTIFIERS_LOKI_URL", "http://loki:3100",
                "NOTIFIERS_CUSTOM_TEAMS_URL", "http://teams",
                "RULES_FILES", "a.yaml,b.yaml"));
        assertThat(c.listenAddress()).isEqualTo("127.0.0.1");
        assertThat(c.listenPort()).isEqualTo(2900);
        assertThat(c.dryRun()).isTrue();
        assertThat(c.defaultNotifiers()).containsExactly("slack", "k8sevents");
        assertThat(c.rulesFiles()).containsExactly("a.yaml", "b.yaml");
        assertThat(c.notifier("slack")).containsEntry("username", "Talon")
                .containsEntry("webhook_url", "https://hooks.slack.com/services/XXXX").containsEntry("footer", "");
        assertThat(c.notifier("loki")).containsEntry("url", "http://loki:3100");
        // an unknown notifier's env var is ignored unless the file or default_notifiers name it
        assertThat(c.notifiers()).doesNotContainKey("custom_teams");
    }

    @Test
    void envReachesCustomNotifiersNamedInTheFile() throws Exception {
        TalonConfig c = TalonConfig.parse("notifiers:\n  teams:\n    channel: sec\n", "c.yaml",
                Map.of("NOTIFIERS_TEAMS_URL", "http://teams"));
        assertThat(c.notifier("teams")).containsEntry("url", "http://teams").containsEntry("channel", "sec");
    }

    @Test
    void secretsAreNotExposedAsCamelProperties() throws Exception {
        TalonConfig c = TalonConfig.parse("""
                auth: {token: t0ken}
                tls: {keystore_password: hunter2, truststore_password: s3cret}
                kafka: {topic: events}
                """, "c.yaml", Map.of());
        Map<String, String> props = c.asProperties();
        assertThat(props).containsEntry("kafka.topic", "events").containsEntry("listen_port", "2803")
                .doesNotContainKeys("auth.token", "tls.keystore_password", "tls.truststore_password");
        assertThat(props.values()).noneMatch(v -> v.contains("t0ken") || v.contains("hunter2") || v.contains("s3cret"));
    }

    @Test
    void reportsEveryProblemWithItsKey() {
        assertThatThrownBy(() -> TalonConfig.parse("""
                listen_port: eighty
                dryrun: true
                watch_rules: maybe
                log_format: xml
                notifiers: [slack]
                """, "c.yaml", Map.of("PRINT_ALL_EVENTS", "yes")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
                        "c.yaml: listen_port: must be an integer, got 'eighty'",
                        "c.yaml: dryrun: unknown setting (did you mean dry_run? known: audit, auth, aws,"
                                + " blast_radius, deduplication, default_notifiers, dry_run, gcp, kafka, kubeconfig,"
                                + " listen_address, listen_port, log_format, max_artifact_bytes, max_body_bytes, minio,"
                                + " notifiers, otel, print_all_events, protected, provenance, queue_max_bytes, queue_size, replicas,"
                                + " reverts, routes_directory,"
                                + " rules_files, tls, watch_rules, workers)",
                        "c.yaml: watch_rules: must be true or false, got 'maybe'",
                        "environment variable PRINT_ALL_EVENTS: print_all_events: must be true or false, got 'yes'",
                        "c.yaml: notifiers: must be a mapping of notifier names to settings",
                        "c.yaml: log_format: must be one of color, text, json, got 'xml'"));
    }

    @Test
    void aMissingExplicitFileIsAnErrorAMissingDefaultIsNot(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> TalonConfig.load(missing, true, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class,
                        e -> assertThat(e.problems()).containsExactly(missing + ": config file not found"));
        assertThat(TalonConfig.load(missing, false, Map.of()).listenPort()).isEqualTo(2803);
        assertThat(TalonConfig.resolve(null, missing, Map.of()).listenPort()).isEqualTo(2803);
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, "listen_port: 3000\n");
        assertThat(TalonConfig.resolve(null, file, Map.of()).listenPort()).isEqualTo(3000);
        assertThat(TalonConfig.resolve(file, missing, Map.of("LISTEN_PORT", "3001")).listenPort()).isEqualTo(3001);
    }

    @Test
    void ruleFilesPrecedence(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.yaml"), "[]");
        Path b = Files.writeString(dir.resolve("b.yaml"), "[]");
        TalonConfig withFiles = TalonConfig.parse("rules_files: [" + a + "]", "c", Map.of());
        assertThat(RuleFiles.resolve(List.of(b), withFiles, null).paths()).containsExactly(b);
        assertThat(RuleFiles.resolve(List.of(), withFiles, null).paths()).containsExactly(a);
        TalonConfig none = TalonConfig.parse("", "c", Map.of());
        assertThat(RuleFiles.resolve(List.of(), none, b).paths()).containsExactly(b);
        assertThatThrownBy(() -> RuleFiles.resolve(List.of(dir.resolve("missing.yaml")), none, null))
                .isInstanceOfSatisfying(ConfigException.class,
                        e -> assertThat(e.problems().get(0)).endsWith("missing.yaml: rule file not found"));
    }

    @Test
    void masksSecretsInParameterTrees() {
        Map<String, Object> masked = Secrets.mask(Map.of("token", "abc", "nested", Map.of("api_key", "x", "url",
                "https://user:pw@example.com/x"), "plain", "visible"));
        assertThat(masked).containsEntry("token", Secrets.MASK).containsEntry("plain", "visible");
        assertThat(masked.get("nested").toString()).doesNotContain("pw@").contains("api_key=" + Secrets.MASK);
    }
}
