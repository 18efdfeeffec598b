package org.falcosecurity.talon.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code falco-talon audit FILE [--trace-id X] [--pod NS/NAME] [--since 1h]} on a trail with a rotated file. */
class AuditCommandTest {

    @TempDir
    Path dir;

    private static String rec(Instant time, String kind, String trace, String ns, String pod) {
        return "{\"time\":\"" + time + "\",\"kind\":\"" + kind + "\",\"trace_id\":\"" + trace + "\",\"objects\":{"
                + "\"pod\":\"" + pod + "\",\"namespace\":\"" + ns + "\"}}";
    }

    @Test
    void filtersByTraceIdPodAndAgeAcrossRotatedFiles() throws Exception {
        Instant now = Instant.now();
        Path file = dir.resolve("audit.jsonl");
        String old = rec(now.minus(3, ChronoUnit.HOURS), "received", "t1", "prod", "api-1");
        String oldResult = rec(now.minus(3, ChronoUnit.HOURS), "succeeded", "t1", "prod", "api-1");
        String recent = rec(now.minus(10, ChronoUnit.MINUTES), "received", "t2", "dev", "api-1");
        String recentResult = rec(now.minus(9, ChronoUnit.MINUTES), "refused", "t2", "dev", "api-1");
        Files.writeString(dir.resolve("audit.jsonl.1"), old + "\n" + oldResult + "\n");
        Files.writeString(file, recent + "\nnot a record\n" + recentResult + "\n");

        CliRunner.Result all = CliRunner.run("audit", file.toString());
        assertThat(all.exit()).isZero();
        assertThat(all.out().lines().toList()).containsExactly(old, oldResult, recent, recentResult);
        assertThat(all.err()).contains("1 line(s) of " + file + " are not audit records");

        assertThat(CliRunner.run("audit", file.toString(), "--trace-id", "t1").out().lines().toList())
                .containsExactly(old, oldResult);
        assertThat(CliRunner.run("audit", file.toString(), "--pod", "dev/api-1").out().lines().toList())
                .containsExactly(recent, recentResult);
        assertThat(CliRunner.run("audit", file.toString(), "--since", "1h").out().lines().toList())
                .containsExactly(recent, recentResult);
        List<String> none = CliRunner.run("audit", file.toString(), "--since", "1h", "--trace-id", "t1").out()
                .lines().toList();
        assertThat(none).isEmpty();
    }

    @Test
    void badArgumentsSayWhatIsWrong() throws Exception {
        Path file = Files.writeString(dir.resolve("a.jsonl"), "");
        CliRunner.Result pod = CliRunner.run("audit", file.toString(), "--pod", "api-1");
        assertThat(pod.exit()).isEqualTo(1);
        assertThat(pod.err()).contains("--pod: expected NAMESPACE/NAME, got 'api-1'");
        CliRunner.Result since = CliRunner.run("audit", file.toString(), "--since", "yesterday");
        assertThat(since.exit()).isEqualTo(1);
        assertThat(since.err()).contains("--since: 'yesterday' is not a duration");
        CliRunner.Result missing = CliRunner.run("audit", dir.resolve("nope.jsonl").toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("cannot read");
    }

    @Test
    void checkRefusesAnUnknownAuditNotifier() throws Exception {
        Path config = Files.writeString(dir.resolve("c.yaml"), "audit:\n  file: /tmp/x.jsonl\n  notifiers: [nope]\n");
        Path rules = Files.writeString(dir.resolve("r.yaml"), "- rule: r\n  actions: [{action: a, actionner: custom:log}]\n");
        CliRunner.Result r = CliRunner.run("check", "-c", config.toString(), "-r", rules.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("audit.notifiers: unknown notifier 'nope' (known: ");
    }
}
