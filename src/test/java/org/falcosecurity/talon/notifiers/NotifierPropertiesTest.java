package org.falcosecurity.talon.notifiers;

import org.falcosecurity.talon.config.TalonConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Notifier settings as Camel properties (for route placeholders), never their secrets. */
class NotifierPropertiesTest {

    @Test
    void secretsAreNotExposedAsCamelProperties() throws Exception {
        TalonConfig c = TalonConfig.parse("""
                notifiers:
                  slack: {webhook_url: "https://hooks.slack.com/services/T/B/SECRET", username: talon}
                  smtp: {password: hunter2, host_port: "mail:25"}
                  loki: {api_key: k3y, url: "http://loki"}
                """, "c.yaml", Map.of());
        Map<String, String> props = NotifierProperties.of(c);
        assertThat(props).containsEntry("notifiers.slack.username", "talon")
                .containsEntry("notifiers.smtp.host_port", "mail:25")
                .containsEntry("notifiers.loki.url", "http://loki")
                .doesNotContainKeys("notifiers.slack.webhook_url", "notifiers.smtp.password", "notifiers.loki.api_key");
        assertThat(props.values()).noneMatch(v -> v.contains("SECRET") || v.contains("hunter2") || v.contains("k3y"));
    }

    @Test
    void aBuiltInConfiguredOnlyByEnvironmentVariablesIsExposedToo() throws Exception {
        TalonConfig c = TalonConfig.parse("", "c.yaml", Map.of("NOTIFIERS_SMTP_HOST_PORT", "mail:2525",
                "NOTIFIERS_SMTP_PASSWORD", "hunter2", "NOTIFIERS_WEBHOOK_URL", "https://hook/t0ken"));
        Map<String, String> props = NotifierProperties.of(c);
        assertThat(props).containsEntry("notifiers.smtp.host_port", "mail:2525")
                .doesNotContainKeys("notifiers.smtp.password", "notifiers.webhook.url");
    }
}
