package org.falcosecurity.talon.notifiers;

import org.falcosecurity.talon.config.TalonConfig;
import org.falcosecurity.talon.server.TalonStartupException;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Notifier settings are checked at startup, with messages naming the notifier and the setting. */
class NotifierValidatorTest {

    private static List<String> problems(String yaml) throws Exception {
        return NotifierValidator.configProblems(TalonConfig.parse(yaml, "test.yaml", Map.of()), true);
    }

    @Test
    void aValidConfigHasNoProblem() throws Exception {
        assertThat(problems("""
                default_notifiers: [slack, k8sevents]
                notifiers:
                  slack: {webhook_url: 'https://hooks.slack.com/services/T/B/x', format: short}
                  loki: {url: 'http://loki:3100', user: u, api_key: k, tenant: t, custom_headers: {X-A: b}}
                  elasticsearch: {url: 'https://es:9200', index: talon, suffix: none}
                  opensearch: {url: 'http://os:9200'}
                  smtp: {host_port: 'mail:587', from: a@example.org, to: 'b@example.org, c@example.org', tls: true}
                  webhook: {url: 'http://hook/x', http_method: PUT, custom_headers: 'X-A: b, X-C: d'}
                """)).isEmpty();
    }

    @Test
    void everyMistakeIsNamed() throws Exception {
        assertThat(problems("""
                default_notifiers: [slack, loki]
                notifiers:
                  slack: {format: medium, webhookurl: x}
                  elasticsearch: {url: 'ftp://es', suffix: weekly, index: 'Bad Index', user: elastic}
                  smtp: {host_port: mail, from: nobody, to: ''}
                  webhook: {url: 'http://hook', http_method: GET, custom_headers: {'Bad Header': x}}
                  k8sevents: {namespace: x}
                """)).containsExactlyInAnyOrder(
                "notifiers.elasticsearch.url: must be an http:// or https:// URL with a host",
                "notifiers.elasticsearch: set both user and password, or neither",
                "notifiers.elasticsearch.index: must be a lower-case index name (letters, digits, '.', '_', '-'),"
                        + " got 'Bad Index'",
                "notifiers.elasticsearch.suffix: must be one of daily, monthly, annually, none, got 'weekly'",
                "notifiers.k8sevents.namespace: unknown setting (known: workers)",
                "notifiers.loki.url: required",
                "notifiers.slack.webhookurl: unknown setting (did you mean webhook_url? known: webhook_url, icon,"
                        + " username, footer, format, workers)",
                "notifiers.slack.webhook_url: required",
                "notifiers.slack.format: must be one of long, short, got 'medium'",
                "notifiers.smtp.host_port: must be host:port, got 'mail'",
                "notifiers.smtp.from: not a valid e-mail address: 'nobody'",
                "notifiers.smtp.to: required (a comma-separated list of addresses)",
                "notifiers.webhook.http_method: must be one of POST, PUT, PATCH, got 'GET'",
                "notifiers.webhook.custom_headers: 'Bad Header' is not a valid HTTP header name");
    }

    @Test
    void everyNotifierHasWorkersFromOneToSixteenANotifierRouteToo() throws Exception {
        assertThat(problems("""
                default_notifiers: [webhook, loki, file, mine]
                notifiers:
                  webhook: {url: 'http://hook/x', workers: 16}
                  loki: {url: 'http://loki:3100', workers: 1}
                  file: {directory: /tmp, workers: 2}
                """)).isEmpty();
        assertThat(problems("""
                default_notifiers: [webhook, loki, file, mine]
                notifiers:
                  webhook: {url: 'http://hook/x', workers: 0}
                  loki: {url: 'http://loki:3100', workers: four}
                  file: {directory: /tmp, workers: 17}
                  mine: {workers: -1, anything: goes}
                """)).containsExactlyInAnyOrder(
                "notifiers.webhook.workers: must be from 1 to 16, got 0",
                "notifiers.loki.workers: must be a whole number from 1 to 16, got 'four'",
                "notifiers.file.workers: must be from 1 to 16, got 17",
                "notifiers.mine.workers: must be from 1 to 16, got -1");
    }

    @Test
    void workersAreTheSettingElseTheNotifiersDefault() throws Exception {
        TalonConfig config = TalonConfig.parse("""
                notifiers:
                  loki: {url: 'http://loki:3100', workers: 7}
                  file: {directory: /tmp, workers: 2}
                  slack: {workers: many}
                """, "test.yaml", Map.of("NOTIFIERS_MINE_WORKERS", "3"));
        assertThat(NotifierSettings.workers(config, "loki")).isEqualTo(7);
        assertThat(NotifierSettings.workers(config, "webhook")).isEqualTo(4);
        assertThat(NotifierSettings.workers(config, "file")).isEqualTo(2);
        assertThat(NotifierSettings.workers(config, "mine")).isEqualTo(3);
        assertThat(NotifierSettings.workers(config, "other")).isEqualTo(1);
        // slack is not configured (no webhook_url), so nothing checked its workers: its default stands in
        assertThat(NotifierSettings.workers(config, "slack")).isEqualTo(1);
    }

    @Test
    void aBadUrlIsNeverEchoed() throws Exception {
        assertThat(problems("""
                notifiers:
                  slack: {webhook_url: 'hooks.slack.com/services/T/B/secret-token'}
                """)).containsExactly("notifiers.slack.webhook_url: must be an http:// or https:// URL with a host")
                .noneMatch(p -> p.contains("secret-token"));
    }

    @Test
    void startupFailsOnAUsedNotifierWithoutSettings() {
        TalonStartupException e = catchThrowableOfType(TalonStartupException.class, () ->
                TalonTestServer.builder().config("default_notifiers: [webhook]\n").start());
        assertThat(e.summary()).isEqualTo("invalid notifier settings");
        assertThat(e.problems()).containsExactly("notifiers.webhook.url: required");
    }

    @Test
    void k8seventsNeedsACluster() throws Exception {
        assertThat(NotifierValidator.configProblems(TalonConfig.parse("default_notifiers: [k8sevents]\n", "t.yaml",
                Map.of()), false)).containsExactly("notifiers.k8sevents: needs a Kubernetes cluster (in-cluster"
                + " service account, kubeconfig or KUBECONFIG), and none is configured");
    }

    @Test
    void startupFailsOnARuleUsingANotifierWithoutSettings() {
        TalonStartupException e = catchThrowableOfType(TalonStartupException.class, () ->
                TalonTestServer.builder().rules("""
                        - rule: Shell
                          match:
                            rules: [Terminal shell in container]
                          actions:
                            - action: Log it
                              actionner: custom:log
                              parameters: {message: x}
                          notifiers: [smtp]
                        """).start());
        assertThat(e.problems()).anyMatch(p -> p.contains("a rule uses this notifier, but notifiers.smtp.host_port:"
                + " required"));
    }

    @Test
    void unusedAndUnconfiguredNotifiersNeedNothing() throws Exception {
        try (TalonTestServer t = TalonTestServer.builder().config("default_notifiers: [file]\n").start()) {
            assertThat(t.server().runtime().catalog().notifierNames())
                    .contains("slack", "loki", "elasticsearch", "opensearch", "smtp", "webhook", "k8sevents");
        }
    }
}
