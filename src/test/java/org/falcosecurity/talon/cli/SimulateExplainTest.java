package org.falcosecurity.talon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.falcosecurity.talon.support.Events;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code simulate --explain}: which criterion failed for each rule, and why later actions would not run. */
class SimulateExplainTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Path config;
    Path rules;
    Path events;

    @BeforeEach
    void files() throws Exception {
        config = Files.writeString(dir.resolve("config.yaml"), "default_notifiers: [file]\n");
        rules = Files.writeString(dir.resolve("rules.yaml"), """
                - rule: Wrong Falco rule
                  match: {rules: [Write below etc]}
                  actions: [{action: a, actionner: custom:log}]
                - rule: Too low
                  match: {priority: ">=Critical", source: k8s_audit}
                  actions: [{action: a, actionner: custom:log}]
                - rule: Tags
                  match: {tags: ["container, network"]}
                  actions: [{action: a, actionner: custom:log}]
                - rule: Fields
                  match:
                    output_fields:
                      - "proc.name~=^(ba|z)sh$"
                      - "user.uid>=1000, k8s.ns.name^=prod"
                  actions: [{action: a, actionner: custom:log}]
                - rule: Shell outside kube-system
                  match:
                    output_fields: ["proc.exepath$=/dash, k8s.ns.name!=kube-system, proc.cmdline*=exec bash"]
                  continue: false
                  actions:
                    - action: Label
                      actionner: kubernetes:label
                      parameters: {labels: {suspicious: "true"}}
                      ignore_errors: true
                    - action: Log it
                      actionner: custom:log
                    - action: Terminate
                      actionner: kubernetes:terminate
                    - action: Never
                      actionner: custom:log
                - rule: Below the stop
                  actions: [{action: a, actionner: custom:log}]
                """);
        events = Files.writeString(dir.resolve("events.jsonl"),
                Events.load("terminal-shell.json").replace("\n", "") + "\n{\"rule\":\"x\"}\n");
    }

    @Test
    void textSaysForEachRuleWhyItFiredOrNot() {
        CliRunner.Result r = CliRunner.run("simulate", "--explain", "-c", config.toString(), "-r", rules.toString(),
                events.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEqualTo("""
                event 0: Falco rule 'Terminal shell in container', priority Notice, source syscall
                  not matched  rule 'Wrong Falco rule'
                      rules: Falco rule 'Terminal shell in container' is not one of 'Write below etc'
                  not matched  rule 'Too low'
                      priority: priority Notice is not >=Critical
                      source: source 'syscall' is not 'k8s_audit'
                  not matched  rule 'Tags'
                      tags: no entry has all its tags: [container, network] lacks network
                  not matched  rule 'Fields'
                      output_fields: no entry holds: 'proc.name~=^(ba|z)sh$': proc.name is 'sh'; 'user.uid>=1000': user.uid is '0'
                  fired        rule 'Shell outside kube-system'
                      1. Label (kubernetes:label): runs
                      2. Log it (custom:log): runs
                      3. Terminate (kubernetes:terminate): runs, only if 'Log it' succeeds (no ignore_errors)
                      4. Never (custom:log): does not run: action 'Terminate' before it has continue: false
                  not reached  rule 'Below the stop': rule 'Shell outside kube-system' fired before it with continue: false
                event 1: error: the event has no 'priority'
                """);
    }

    @Test
    void jsonCarriesTheSameVerdictsForTools() throws Exception {
        CliRunner.Result r = CliRunner.run("simulate", "--explain", "--json", "-c", config.toString(), "-r",
                rules.toString(), events.toString());
        assertThat(r.exit()).isEqualTo(1);
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2);
        JsonNode e = JSON.readTree(lines.get(0));
        // the plan is the one simulate prints without --explain
        assertThat(e.at("/matches/0/rule").asText()).isEqualTo("Shell outside kube-system");
        assertThat(e.at("/matches/0/actions").findValuesAsText("action")).containsExactly("Label", "Log it",
                "Terminate");
        JsonNode x = e.get("explain");
        assertThat(x.findValuesAsText("outcome")).containsExactly("not_matched", "not_matched", "not_matched",
                "not_matched", "fired", "not_reached");
        assertThat(x.get(1).get("failed").findValuesAsText("criterion")).containsExactly("priority", "source");
        assertThat(x.get(3).at("/failed/0/criterion").asText()).isEqualTo("output_fields");
        JsonNode actions = x.get(4).get("actions");
        assertThat(actions.findValuesAsText("runs")).containsExactly("true", "true", "true", "false");
        assertThat(actions.get(2).get("condition").asText()).isEqualTo("only if 'Log it' succeeds (no ignore_errors)");
        assertThat(actions.get(3).get("reason").asText()).isEqualTo("action 'Terminate' before it has continue: false");
        assertThat(actions.get(0).get("ignore_errors").asBoolean()).isTrue();
        assertThat(actions.get(2).get("continue").asBoolean()).isFalse();
        assertThat(x.get(5).get("stopped_by").asText()).isEqualTo("Shell outside kube-system");
        assertThat(JSON.readTree(lines.get(1)).get("error").asText()).isEqualTo("the event has no 'priority'");
    }

    @Test
    void aDryRunRuleReportsItsActions() throws Exception {
        Path cfg = Files.writeString(dir.resolve("dry.yaml"), "dry_run: true\n");
        CliRunner.Result r = CliRunner.run("simulate", "--explain", "-c", cfg.toString(), "-r", rules.toString(),
                events.toString());
        assertThat(r.out()).contains("  fired        rule 'Shell outside kube-system' (dry run: actions are"
                + " reported, not run)\n      1. Label (kubernetes:label): reported\n");
    }

    @Test
    void eventDataCannotForgeALineOfTheText() throws Exception {
        Path forged = Files.writeString(dir.resolve("forged.jsonl"), "{\"rule\":\"x\\n  fired        rule 'Tags'\","
                + "\"priority\":\"Notice\",\"output_fields\":{\"proc.name\":\"sh\\u2028fired\\r\\n\"}}\n");
        CliRunner.Result r = CliRunner.run("simulate", "--explain", "-c", config.toString(), "-r", rules.toString(),
                forged.toString());
        assertThat(r.out().lines()).noneMatch(l -> l.startsWith("  fired        rule 'Tags'"))
                .first().asString().startsWith("event 0: Falco rule 'x\\u000a  fired        rule 'Tags''");
        assertThat(r.out()).contains("proc.name is 'sh\\u2028fired\\u000d\\u000a'")
                .doesNotContain("\u2028").doesNotContain("\r");
    }

    @Test
    void withoutExplainTheOutputIsUnchanged() throws Exception {
        CliRunner.Result r = CliRunner.run("simulate", "-c", config.toString(), "-r", rules.toString(),
                events.toString());
        assertThat(JSON.readTree(r.out().lines().findFirst().orElseThrow()).has("explain")).isFalse();
    }
}
