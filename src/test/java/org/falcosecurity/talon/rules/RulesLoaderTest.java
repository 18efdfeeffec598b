package org.falcosecurity.talon.rules;

import org.falcosecurity.talon.rules.load.LoadResult;
import org.falcosecurity.talon.rules.load.RuleSource;
import org.falcosecurity.talon.rules.load.RulesLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.falcosecurity.talon.rules.RulesFixture.load;
import static org.falcosecurity.talon.rules.RulesFixture.valid;

class RulesLoaderTest {

    // ------------------------------------------------------------------ merging

    @Test
    void laterFilesUpdateSameNamedRules() {
        RuleSet rules = valid("""
                - rule: r
                  match:
                    rules: [A]
                    priority: ">=Warning"
                    tags: [shell]
                  notifiers: [slack]
                  actions:
                    - action: first
                      actionner: custom:log
                """, """
                - rule: r
                  match:
                    rules: [B]
                  dry_run: true
                  notifiers: [file]
                  actions:
                    - action: second
                      actionner: custom:log
                """);
        assertThat(rules.size()).isEqualTo(1);
        Rule r = rules.rules().get(0);
        assertThat(r.match().rules()).containsExactly("A", "B");
        // the override sets no priority: the earlier one stays (the Go project cleared it)
        assertThat(r.match().priority()).hasToString(">=Warning");
        assertThat(r.match().tags()).hasSize(1);
        assertThat(r.dryRun()).isTrue();
        assertThat(r.notifiers()).containsExactly("slack", "file");
        assertThat(r.actions()).extracting(Action::name).containsExactly("first", "second");
        assertThat(r.files()).containsExactly("rules-0.yaml", "rules-1.yaml");
    }

    @Test
    void laterScalarsReplaceEarlierOnes() {
        RuleSet rules = valid("""
                - rule: r
                  match: {priority: ">=Warning", source: syscall}
                  continue: true
                  actions: [{action: a, actionner: custom:log}]
                """, """
                - rule: r
                  match: {priority: "<Error", source: k8s_audit}
                  continue: false
                """);
        Rule r = rules.rules().get(0);
        assertThat(r.match().priority()).hasToString("<Error");
        assertThat(r.match().source()).isEqualTo("k8s_audit");
        assertThat(r.continueRules()).isFalse();
    }

    @Test
    void sameNamedActionBlocksMergeParameters() {
        RuleSet rules = valid("""
                - action: label
                  actionner: kubernetes:label
                  parameters:
                    labels: {a: "1", b: "2"}
                - action: np
                  actionner: kubernetes:networkpolicy
                  parameters:
                    allow_cidr: ["10.0.0.0/8"]
                """, """
                - action: label
                  parameters:
                    labels: {b: "20", c: "3"}
                    level: node
                - action: np
                  parameters:
                    allow_cidr: ["192.168.0.0/16"]
                - rule: r
                  actions:
                    - action: label
                    - action: np
                """);
        List<Action> actions = rules.rules().get(0).actions();
        assertThat(actions.get(0).actionner()).isEqualTo("kubernetes:label");
        assertThat(actions.get(0).parameters()).containsEntry("labels", Map.of("a", "1", "b", "20", "c", "3"))
                .containsEntry("level", "node");
        assertThat(actions.get(1).parameters()).containsEntry("allow_cidr", List.of("10.0.0.0/8", "192.168.0.0/16"));
    }

    @Test
    void everySameNamedRuleMergesEvenWithOneActionBlock() {
        // the Go project's merge loop skipped rules when there was exactly one action block
        RuleSet rules = valid("""
                - action: log
                  actionner: custom:log
                - rule: one
                  actions: [{action: log}]
                - rule: two
                  actions: [{action: log}]
                """, """
                - rule: one
                  match: {rules: [X]}
                - rule: two
                  match: {rules: [Y]}
                """);
        assertThat(rules.rules()).extracting(r -> r.match().rules()).containsExactly(List.of("X"), List.of("Y"));
    }

    @Test
    void inlineActionsInheritTheirBlockAndOverrideIt() {
        RuleSet rules = valid("""
                - action: Terminate
                  actionner: kubernetes:terminate
                  parameters:
                    grace_period_seconds: 10
                    ignore_daemonsets: true
                - action: Label
                  actionner: kubernetes:label
                  parameters:
                    labels: {suspicious: "true"}
                - action: Egress
                  actionner: kubernetes:networkpolicy
                  parameters:
                    allow_cidr: ["10.0.0.0/8"]
                - rule: r
                  actions:
                    - action: Label
                      parameters:
                        labels: {team: "sec"}
                    - action: Egress
                      ignore_errors: true
                      parameters:
                        allow_cidr: ["172.16.0.0/12"]
                    - action: Terminate
                      parameters:
                        grace_period_seconds: 2
                """);
        List<Action> a = rules.rules().get(0).actions();
        assertThat(a.get(0).parameters()).containsEntry("labels", Map.of("suspicious", "true", "team", "sec"));
        assertThat(a.get(1).ignoreErrors()).isTrue();
        assertThat(a.get(1).parameters()).containsEntry("allow_cidr", List.of("10.0.0.0/8", "172.16.0.0/12"));
        assertThat(a.get(2).actionner()).isEqualTo("kubernetes:terminate");
        assertThat(a.get(2).parameters()).containsEntry("grace_period_seconds", 2)
                .containsEntry("ignore_daemonsets", true);
        assertThat(a.get(2).continueAfter()).isFalse();
    }

    @Test
    void scriptFileIsReadAtLoadRelativeToTheRuleFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("collect.sh"), "echo collected\n");
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, """
                - rule: r
                  actions:
                    - action: collect
                      actionner: kubernetes:script
                      parameters:
                        file: collect.sh
                """);
        LoadResult r = new RulesLoader(RulesFixture.CATALOG).load(List.of(RuleSource.of(rules)));
        assertThat(r.errors()).isEmpty();
        Action a = r.rules().rules().get(0).actions().get(0);
        assertThat(a.parameters()).containsEntry("file", "collect.sh").doesNotContainKey("script");
        assertThat(a.runParameters()).containsEntry("script", "echo collected\n");
    }

    @Test
    void emptyFilesDefineNothing() {
        assertThat(valid("", "# only a comment\n").size()).isZero();
    }

    // ------------------------------------------------------------------ validation

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("not a list", "foo: bar", "rules-0.yaml: expected a list of '- rule:' and '- action:' blocks"),
                Arguments.of("yaml syntax", "- rule: [unclosed", "rules-0.yaml: line "),
                Arguments.of("both kinds", "- rule: a\n  action: b", "rules-0.yaml: block #1: has both 'rule' and 'action'"),
                Arguments.of("missing name", "- rule: \"\"", "rules-0.yaml: block #1: rule: must be a non-empty name"),
                Arguments.of("bad priority", "- rule: r\n  match: {priority: \">=Critcal\"}\n  actions: [{action: a, actionner: custom:log}]",
                        "rules-0.yaml: rule 'r': match.priority: unknown priority 'Critcal'"),
                Arguments.of("bad priority syntax", "- rule: r\n  match: {priority: \"=>Error\"}\n  actions: [{action: a, actionner: custom:log}]",
                        "rule 'r': match.priority: '=>Error' is not a priority comparison"),
                Arguments.of("bad tag entry", "- rule: r\n  match: {tags: [\"a,,b\"]}\n  actions: [{action: a, actionner: custom:log}]",
                        "rule 'r': match.tags[0]: 'a,,b' has an empty tag"),
                Arguments.of("bad field term", "- rule: r\n  match: {output_fields: [\"k8s.ns.name:prod\"]}\n  actions: [{action: a, actionner: custom:log}]",
                        "rule 'r': match.output_fields[0]: 'k8s.ns.name:prod' is not a term: expected key=value"),
                Arguments.of("empty field key", "- rule: r\n  match: {output_fields: [\"=x\"]}\n  actions: [{action: a, actionner: custom:log}]",
                        "rule 'r': match.output_fields[0]: '=x' has no field name before '='"),
                Arguments.of("rules not a list", "- rule: r\n  match: {rules: Terminal shell}\n  actions: [{action: a, actionner: custom:log}]",
                        "rule 'r': match.rules: must be a list of strings"),
                Arguments.of("continue not boolean", "- rule: r\n  continue: \"no\"\n  actions: [{action: a, actionner: custom:log}]",
                        "rule 'r': continue: must be true or false, got the string 'no'"),
                Arguments.of("dry_run not boolean", "- rule: r\n  dry_run: 1\n  actions: [{action: a, actionner: custom:log}]",
                        "rule 'r': dry_run: must be true or false, got the value 1"),
                Arguments.of("ignore_errors not boolean", "- rule: r\n  actions: [{action: a, actionner: custom:log, ignore_errors: yes please}]",
                        "rule 'r': actions[0].ignore_errors: must be true or false"),
                Arguments.of("no actions", "- rule: r\n  match: {rules: [x]}", "rule 'r': actions: a rule needs at least one action"),
                Arguments.of("unknown actionner", "- rule: r\n  actions: [{action: a, actionner: kubernetes:terminat}]",
                        "rule 'r': actions[0].actionner: unknown actionner 'kubernetes:terminat' (known: "),
                Arguments.of("bad actionner name", "- rule: r\n  actions: [{action: a, actionner: Terminate}]",
                        "rule 'r': actions[0].actionner: 'Terminate' is not an actionner name"),
                Arguments.of("undefined action", "- rule: r\n  actions: [{action: Nope}]",
                        "rule 'r': actions[0].actionner: action 'Nope' is not defined by an action block and sets no actionner"),
                Arguments.of("block without actionner", "- action: a\n  parameters: {x: 1}",
                        "action 'a': actionner: is required"),
                Arguments.of("unknown notifier", "- rule: r\n  notifiers: [slak]\n  actions: [{action: a, actionner: custom:log}]",
                        "rule 'r': notifiers: unknown notifier 'slak' (known: file, k8sevents, slack)"),
                Arguments.of("parameter type", "- rule: r\n  actions: [{action: a, actionner: kubernetes:terminate, parameters: {grace_period_seconds: soon}}]",
                        "rule 'r': actions[0].parameters.grace_period_seconds: must be an integer, got the string 'soon'"),
                Arguments.of("parameter range", "- rule: r\n  actions: [{action: a, actionner: kubernetes:terminate, parameters: {grace_period_seconds: -1}}]",
                        "actions[0].parameters.grace_period_seconds: must be 0 or more, got -1"),
                Arguments.of("bool parameter", "- rule: r\n  actions: [{action: a, actionner: kubernetes:terminate, parameters: {ignore_daemonsets: \"true\"}}]",
                        "actions[0].parameters.ignore_daemonsets: must be a boolean (true or false), got the string 'true'"),
                Arguments.of("percentage", "- rule: r\n  actions: [{action: a, actionner: kubernetes:terminate, parameters: {min_healthy_replicas: \"150%\"}}]",
                        "actions[0].parameters.min_healthy_replicas: must be a percentage of at most 100%"),
                Arguments.of("required parameter", "- rule: r\n  actions: [{action: a, actionner: kubernetes:exec}]",
                        "actions[0].parameters.command: required by kubernetes:exec but not set"),
                Arguments.of("map parameter", "- rule: r\n  actions: [{action: a, actionner: kubernetes:label, parameters: {labels: [a]}}]",
                        "actions[0].parameters.labels: must be a map of string keys to string values, got a list"),
                Arguments.of("cidr", "- rule: r\n  actions: [{action: a, actionner: kubernetes:networkpolicy, parameters: {allow_cidr: [\"10.0.0.0/33\"]}}]",
                        "actions[0].parameters.allow_cidr: '10.0.0.0/33' is not a CIDR"),
                Arguments.of("script and file", "- rule: r\n  actions: [{action: a, actionner: kubernetes:script, parameters: {script: x, file: y}}]",
                        "rule 'r': actions[0].parameters: 'script' and 'file' are both set; set exactly one"),
                Arguments.of("script file missing", "- rule: r\n  actions: [{action: a, actionner: kubernetes:script, parameters: {file: /nonexistent/x.sh}}]",
                        "actions[0].parameters.file: cannot read '/nonexistent/x.sh'"),
                Arguments.of("level", "- rule: r\n  actions: [{action: a, actionner: kubernetes:label, parameters: {labels: {a: b}, level: cluster}}]",
                        "actions[0].parameters.level: must be one of pod, node, got 'cluster'"),
                Arguments.of("duplicate key", "- rule: r\n  rule: s", "not valid YAML: Duplicate field 'rule'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void namesFileBlockFieldAndProblem(String name, String yaml, String expected) {
        LoadResult r = load(yaml);
        assertThat(r.ok()).isFalse();
        assertThat(r.rules()).isNull();
        assertThat(r.errors()).extracting(Object::toString).anySatisfy(m -> assertThat(m).contains(expected));
    }

    @Test
    void reportsEveryErrorAtOnce() {
        LoadResult r = load("""
                - action: broken
                  actionner: kubernetes:nothing
                - rule: one
                  match: {priority: Severe}
                  actions: [{action: Missing}]
                - rule: two
                  dry_run: maybe
                  actions:
                    - action: x
                      actionner: kubernetes:label
                      parameters: {labels: {}}
                """, """
                - rule: three
                  notifiers: [nobody]
                  actions: [{action: y, actionner: custom:log}]
                """);
        assertThat(r.errors()).extracting(Object::toString).satisfiesExactlyInAnyOrder(
                m -> assertThat(m).contains("action 'broken': actionner: unknown actionner 'kubernetes:nothing'"),
                m -> assertThat(m).contains("rule 'one': match.priority: unknown priority 'Severe'"),
                m -> assertThat(m).contains("rule 'one': actions[0].actionner: action 'Missing' is not defined"),
                m -> assertThat(m).contains("rule 'two': dry_run: must be true or false"),
                m -> assertThat(m).contains("rule 'two': actions[0].parameters.labels: must name at least one"),
                m -> assertThat(m).startsWith("rules-1.yaml: rule 'three': notifiers: unknown notifier 'nobody'"));
    }

    @Test
    void anInvalidActionBlockIsReportedOnceNotForEveryRuleUsingIt() {
        LoadResult r = load("""
                - action: bad
                  actionner: kubernetes:terminate
                  parameters: {grace_period_seconds: x}
                - rule: a
                  actions: [{action: bad}]
                - rule: b
                  actions: [{action: bad}]
                """);
        assertThat(r.errors()).hasSize(1);
        assertThat(r.errors().get(0).toString()).contains("action 'bad': parameters.grace_period_seconds");
    }
}
