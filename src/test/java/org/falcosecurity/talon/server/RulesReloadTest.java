package org.falcosecurity.talon.server;

import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** watch_rules: a changed file is reloaded; an invalid one leaves the running rules in place. */
class RulesReloadTest {

    private static String rule(String name) {
        return """
                - rule: %s
                  actions:
                    - action: log
                      actionner: custom:log
                """.formatted(name);
    }

    private static String matched(TalonTestServer t) throws Exception {
        return t.post(Events.event("anything", "Warning", "{}")).body();
    }

    @Test
    void reloadsValidChangesAndKeepsRulesWhenTheNewFileIsInvalid() throws Exception {
        try (TalonTestServer t = TalonTestServer.builder().rules(rule("first")).start()) {
            assertThat(matched(t)).contains("\"matched_rules\":[\"first\"]");
            long gen = t.server().runtime().engine().generation();

            Files.writeString(t.ruleFile(0), rule("second"));
            await().atMost(Duration.ofSeconds(15)).until(() -> t.server().runtime().engine().generation() > gen);
            assertThat(matched(t)).contains("\"matched_rules\":[\"second\"]");

            Files.writeString(t.ruleFile(0), "- rule: broken\n  match: {priority: Sometimes}\n");
            await().atMost(Duration.ofSeconds(15)).until(() ->
                    t.server().runtime().counters().get("rules_reloads", "result", "failure") == 1);
            assertThat(matched(t)).contains("\"matched_rules\":[\"second\"]");
            assertThat(t.server().runtime().engine().rules().rules()).extracting(r -> r.name())
                    .containsExactly("second");
        }
    }

    @Test
    void followsAConfigMapStyleSymlinkSwap(@TempDir Path dir) throws Exception {
        // the layout kubelet gives a ConfigMap volume: rules.yaml -> ..data/rules.yaml, ..data -> ..<timestamp>
        Path v1 = Files.createDirectory(dir.resolve("..2026_11_27_v1"));
        Files.writeString(v1.resolve("rules.yaml"), rule("from-v1"));
        Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
        Path rules = Files.createSymbolicLink(dir.resolve("rules.yaml"), Path.of("..data/rules.yaml"));

        try (TalonTestServer t = TalonTestServer.builder().rulesPath(rules).start()) {
            assertThat(matched(t)).contains("\"matched_rules\":[\"from-v1\"]");

            Path v2 = Files.createDirectory(dir.resolve("..2026_11_27_v2"));
            Files.writeString(v2.resolve("rules.yaml"), rule("from-v2"));
            Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
            Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(matched(t)).contains("\"matched_rules\":[\"from-v2\"]"));
            assertThat(t.server().runtime().counters().get("rules_reloads", "result", "success")).isEqualTo(1);
        }
    }

    @Test
    void anInvalidFileAtStartupIsRefusedWithEveryError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TalonTestServer.builder()
                        .rules("- rule: a\n  actions: [{action: x, actionner: nope:nope}]\n- rule: b\n  dry_run: 3\n"
                                + "  actions: [{action: y, actionner: custom:log}]\n")
                        .start())
                .isInstanceOfSatisfying(TalonStartupException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).contains("rule 'a': actions[0].actionner: unknown actionner 'nope:nope'"))
                        .anySatisfy(p -> assertThat(p).contains("rule 'b': dry_run: must be true or false")));
    }
}
