package org.falcosecurity.talon.hardening;

import org.falcosecurity.talon.cli.CliAccess;
import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.LogCapture;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The broken rule files of src/test/resources/bad-rules (each says, in its first line, the error it must produce):
 * `check` reports that error and fails; a reload with it logs the error and keeps the running rules.
 */
class BadRuleFilesTest {

    private static Map<Path, String> corpus() throws Exception {
        Map<Path, String> files = new LinkedHashMap<>();
        Path dir = Path.of(BadRuleFilesTest.class.getClassLoader().getResource("bad-rules").toURI());
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String first = Files.readAllLines(p).get(0);
                assertThat(first).startsWith("# expect: ");
                files.put(p, first.substring("# expect: ".length()));
            }
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(25);
        return files;
    }

    @Test
    void checkReportsTheSpecificError() throws Exception {
        for (Map.Entry<Path, String> e : corpus().entrySet()) {
            CliAccess.Result r = CliAccess.run("check", "-r", e.getKey().toString());
            assertThat(r.exit()).as(e.getKey().toString()).isEqualTo(1);
            assertThat(r.err()).as(e.getKey().toString()).contains(e.getKey().toString()).contains(e.getValue());
        }
    }

    @Test
    void aReloadWithABrokenFileKeepsTheRunningRules() throws Exception {
        String good = "- rule: good\n  actions: [{action: log, actionner: custom:log}]\n";
        try (LogCapture logs = LogCapture.open();
             TalonTestServer t = TalonTestServer.builder().rules(good).start()) {
            long failures = 0;
            for (Map.Entry<Path, String> e : corpus().entrySet()) {
                Files.copy(e.getKey(), t.ruleFile(0), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                long expected = ++failures;
                await().alias(e.getKey().toString()).atMost(Duration.ofSeconds(15)).until(() ->
                        t.server().runtime().counters().get("rules_reloads", "result", "failure") >= expected);
                assertThat(logs.all()).as(e.getKey().toString()).contains(e.getValue());
                assertThat(t.post(Events.event("x", "Warning", "{\"n\":" + failures + "}")).body())
                        .contains("\"matched_rules\":[\"good\"]");
            }
            assertThat(t.server().runtime().counters().get("rules_reloads", "result", "success")).isZero();
        }
    }
}
