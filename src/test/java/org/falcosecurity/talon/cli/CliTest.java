package org.falcosecurity.talon.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.falcosecurity.talon.support.Events;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI: check, rules print, simulate, version and help, run in-process as a user would run them. */
class CliTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Path config;
    Path rules;
    Path override;

    @BeforeEach
    void files() throws Exception {
        config = Files.writeString(dir.resolve("config.yaml"), "default_notifiers: [file]\n");
        rules = Files.writeString(dir.resolve("rules.yaml"), """
                - action: Label
                  actionner: kubernetes:label
                  parameters:
                    labels: {suspicious: "true"}
                - action: Terminate
                  actionner: kubernetes:terminate
                  parameters:
                    grace_period_seconds: 5
                - rule: Shell
                  match:
                    rules: [Terminal shell in container]
                  actions:
                    - action: Label
                    - action: Terminate
                    - action: Never runs
                      actionner: custom:log
                - rule: Critical
                  match:
                    priority: ">=Critical"
                  dry_run: true
                  actions:
                    - action: Log
                      actionner: custom:log
                      parameters:
                        message: hi
                        api_token: s3cr3t
                """);
        override = Files.writeString(dir.resolve("override.yaml"), """
                - rule: Shell
                  match:
                    output_fields: ["k8s.ns.name!=kube-system"]
                  actions:
                    - action: Label
                      parameters:
                        labels: {team: sec}
                """);
    }

    @Test
    void checkSummarisesValidRules() {
        CliRunner.Result r = CliRunner.run("check", "-c", config.toString(), "-r", rules.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("rules are valid: 2 rules, 4 actions in " + rules)
                .contains("- Shell: Label [kubernetes:label] -> Terminate [kubernetes:terminate] -> Never runs")
                .contains("- Critical (dry-run): Log [custom:log]");
    }

    @Test
    void checkPrintsEveryErrorAndFails() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), """
                - rule: One
                  match: {priority: ">=Critcal"}
                  actions: [{action: x, actionner: kubernetes:terminat}]
                - rule: Two
                  continue: sometimes
                  actions: [{action: y, actionner: custom:log}]
                """);
        CliRunner.Result r = CliRunner.run("check", "-c", config.toString(), "-r", rules.toString(), "-r",
                bad.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("error: " + bad + ": rule 'One': match.priority: unknown priority 'Critcal'")
                .contains("error: " + bad + ": rule 'One': actions[0].actionner: unknown actionner 'kubernetes:terminat'")
                .contains("error: " + bad + ": rule 'Two': continue: must be true or false")
                .contains("3 error(s) in " + rules + ", " + bad);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void checkReportsMissingFilesAndUnknownDefaultNotifiers() throws Exception {
        CliRunner.Result missing = CliRunner.run("check", "-c", config.toString(), "-r", dir.resolve("x.yaml").toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("x.yaml: rule file not found");
        Path cfg = Files.writeString(dir.resolve("c2.yaml"), "default_notifiers: [pager]\n");
        CliRunner.Result unknown = CliRunner.run("check", "-c", cfg.toString(), "-r", rules.toString());
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("default_notifiers: unknown notifier 'pager'");
    }

    @Test
    void rulesPrintShowsTheMergedRulesWithSecretsMasked() {
        CliRunner.Result r = CliRunner.run("rules", "print", "-c", config.toString(), "-r", rules.toString(), "-r",
                override.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("- rule: Shell")
                .contains("k8s.ns.name!=kube-system")
                .contains("suspicious: \"true\"")
                .contains("team: sec")
                .contains("api_token: '******'")
                .doesNotContain("s3cr3t");
    }

    @Test
    void simulatePrintsOneLinePerEventInTheDocumentedFormat() throws Exception {
        Path events = Files.writeString(dir.resolve("events.jsonl"),
                Events.load("terminal-shell.json").replace("\n", "") + "\n"
                        + Events.load("outbound-connection.json").replace("\n", "") + "\n"
                        + "{not json}\n"
                        + "{\"rule\":\"x\"}\n");
        CliRunner.Result r = CliRunner.run("simulate", "-c", config.toString(), "-r", rules.toString(),
                events.toString());
        assertThat(r.exit()).isEqualTo(1);
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).isEqualTo("{\"event\":0,\"rule\":\"Terminal shell in container\",\"matches\":["
                + "{\"rule\":\"Shell\",\"dry_run\":false,\"actions\":["
                + "{\"action\":\"Label\",\"actionner\":\"kubernetes:label\",\"parameters\":{\"labels\":{\"suspicious\":\"true\"}}},"
                + "{\"action\":\"Terminate\",\"actionner\":\"kubernetes:terminate\",\"parameters\":{\"grace_period_seconds\":5}}]}]}");
        assertThat(lines.get(1)).isEqualTo("{\"event\":1,\"rule\":\"Unexpected outbound connection destination\","
                + "\"matches\":[{\"rule\":\"Critical\",\"dry_run\":true,\"actions\":[{\"action\":\"Log\","
                + "\"actionner\":\"custom:log\",\"parameters\":{\"message\":\"hi\",\"api_token\":\"******\"}}]}]}");
        assertThat(JSON.readTree(lines.get(2)).path("event").asInt()).isEqualTo(2);
        assertThat(JSON.readTree(lines.get(2)).path("error").asText()).contains("not valid JSON");
        assertThat(lines.get(3)).isEqualTo("{\"event\":3,\"error\":\"the event has no 'priority'\"}");
    }

    @Test
    void simulateReadsAJsonArrayFromStdinAndAppliesMergedRules() throws Exception {
        String shell = Events.load("terminal-shell.json");
        String kubeSystemShell = shell.replace("\"k8s.ns.name\": \"default\"", "\"k8s.ns.name\": \"kube-system\"");
        assertThat(kubeSystemShell).contains("kube-system");
        String array = "[" + shell + "," + kubeSystemShell + "," + Events.load("write-below-etc.json") + "]";
        CliRunner.Result r = CliRunner.runWithStdin(array, "simulate", "-c", config.toString(), "-r",
                rules.toString(), "-r", override.toString(), "-");
        assertThat(r.exit()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(3);
        // the override appended an action after Terminate (continue: false): it is not planned
        assertThat(JSON.readTree(lines.get(0)).at("/matches/0/actions").findValuesAsText("action"))
                .containsExactly("Label", "Terminate");
        // the override added output_fields: k8s.ns.name!=kube-system
        assertThat(lines.get(1)).isEqualTo("{\"event\":1,\"rule\":\"Terminal shell in container\",\"matches\":[]}");
        assertThat(lines.get(2)).isEqualTo("{\"event\":2,\"rule\":\"Write below etc\",\"matches\":[]}");
    }

    @Test
    void simulateReadsPrettyPrintedEventsAndHonoursGlobalDryRun() throws Exception {
        Path cfg = Files.writeString(dir.resolve("dry.yaml"), "dry_run: true\n");
        CliRunner.Result r = CliRunner.run("simulate", "-c", cfg.toString(), "-r", rules.toString(),
                Events.path("terminal-shell.json").toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("\"rule\":\"Shell\",\"dry_run\":true");
    }

    @Test
    void simulateExitsWith2OnInvalidRules() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "- rule: x\n");
        CliRunner.Result r = CliRunner.runWithStdin("{}", "simulate", "-c", config.toString(), "-r", bad.toString(),
                "-");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("rule 'x': actions: a rule needs at least one action");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void versionAndHelp() {
        CliRunner.Result v = CliRunner.run("version");
        assertThat(v.exit()).isZero();
        assertThat(v.out()).startsWith("falco-talon ").contains("Apache Camel 4.17.0");
        CliRunner.Result h = CliRunner.run("--help");
        assertThat(h.exit()).isZero();
        assertThat(h.out()).contains("server", "check", "rules", "simulate", "version", "-c, --config", "-r, --rules");
        CliRunner.Result sh = CliRunner.run("simulate", "--help");
        assertThat(sh.out()).contains("EVENTS");
    }

    @Test
    void serverIsParsedAsFromTheFullCommandLine() {
        // `server ...` runs on a command line holding only that subcommand: its help, the inherited -c / -r and its
        // errors are those of the full one
        CommandLine full = TalonCommand.commandLine("--help");
        CommandLine server = TalonCommand.commandLine("server", "--help");
        assertThat(full.getSubcommands().keySet()).contains("server", "check", "rules", "simulate", "audit", "undo",
                "actionners", "notifiers", "outputs", "completion", "version", "help");
        assertThat(server.getSubcommands().keySet()).containsExactly("server");
        assertThat(server.getSubcommands().get("server").getUsageMessage())
                .isEqualTo(full.getSubcommands().get("server").getUsageMessage())
                .contains("-c, --config", "-r, --rules");

        CliRunner.Result help = CliRunner.run("server", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("Start Falco Talon.", "-c, --config=FILE", "-r, --rules=FILE");
        CliRunner.Result unknown = CliRunner.run("server", "--no-such-option");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unknown option: '--no-such-option'");
        CliRunner.Result missing = CliRunner.run("server", "-c", "/no/such/talon-config.yaml");
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.out() + missing.err()).contains("/no/such/talon-config.yaml");
    }
}
