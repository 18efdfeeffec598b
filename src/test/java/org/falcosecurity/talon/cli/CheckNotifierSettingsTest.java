package org.falcosecurity.talon.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code check} reports the notifier settings `server` would refuse, without printing secrets. */
class CheckNotifierSettingsTest {

    @TempDir
    Path dir;

    @Test
    void checkNamesTheNotifierAndTheSetting() throws Exception {
        Path rules = Files.writeString(dir.resolve("rules.yaml"), """
                - rule: Shell
                  match:
                    rules: [Terminal shell in container]
                  actions:
                    - action: Log it
                      actionner: custom:log
                      parameters: {message: x}
                  notifiers: [loki]
                """);
        Path config = Files.writeString(dir.resolve("config.yaml"), """
                default_notifiers: [slack]
                notifiers:
                  slack: {webhook_url: 'hooks.example/services/T/B/tok3n-secret', format: medium}
                """);
        CliRunner.Result r = CliRunner.run("check", "-c", config.toString(), "-r", rules.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("error: notifiers.slack.webhook_url: must be an http:// or https:// URL with a host")
                .contains("error: notifiers.slack.format: must be one of long, short, got 'medium'")
                .contains("error: notifiers.loki.url: required")
                .doesNotContain("tok3n-secret");
    }
}
