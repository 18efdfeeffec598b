package org.falcosecurity.talon.hardening;

import org.falcosecurity.talon.cli.CliAccess;
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
 * The rule files of src/test/resources/warn-rules hold what upstream Falco Talon silently ignores (each says, in its
 * first line, the warning it must produce): {@code check} accepts them and prints the warning, {@code check --strict}
 * and {@code rules check --strict} refuse them with it, and a reload with one is accepted and logs it.
 */
class WarnedRuleFilesTest {

    private static Map<Path, String> corpus() throws Exception {
        Map<Path, String> files = new LinkedHashMap<>();
        Path dir = Path.of(WarnedRuleFilesTest.class.getClassLoader().getResource("warn-rules").toURI());
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String first = Files.readAllLines(p).get(0);
                assertThat(first).startsWith("# warn: ");
                files.put(p, first.substring("# warn: ".length()));
            }
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(4);
        return files;
    }

    @Test
    void checkWarnsAndStrictRefuses() throws Exception {
        for (Map.Entry<Path, String> e : corpus().entrySet()) {
            String file = e.getKey().toString();
            CliAccess.Result r = CliAccess.run("check", "-r", file);
            assertThat(r.exit()).as(file + r.err()).isZero();
            assertThat(r.err()).as(file).contains("warning: " + file).contains(e.getValue());
            assertThat(r.out()).contains("warning(s))");

            for (String[] strict : new String[][] {{"check", "--strict", "-r", file},
                {"rules", "check", "--strict", "-r", file}}) {
                CliAccess.Result s = CliAccess.run(strict);
                assertThat(s.exit()).as(String.join(" ", strict)).isEqualTo(1);
                assertThat(s.err()).contains("error: " + file).contains(e.getValue());
            }
        }
    }

    @Test
    void aReloadWithAWarnedFileIsAcceptedAndLogsTheWarning() throws Exception {
        String good = "- rule: good\n  actions: [{action: log, actionner: custom:log}]\n";
        try (LogCapture logs = LogCapture.open();
             TalonTestServer t = TalonTestServer.builder().rules(good).start()) {
            long reloads = 0;
            for (Map.Entry<Path, String> e : corpus().entrySet()) {
                Files.copy(e.getKey(), t.ruleFile(0), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                long expected = ++reloads;
                await().alias(e.getKey().toString()).atMost(Duration.ofSeconds(15)).until(() ->
                        t.server().runtime().counters().get("rules_reloads", "result", "success") >= expected);
                assertThat(logs.all()).as(e.getKey().toString()).contains(e.getValue());
            }
            assertThat(t.server().runtime().counters().get("rules_reloads", "result", "failure")).isZero();
        }
    }
}
