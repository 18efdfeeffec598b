package org.falcosecurity.talon.rules;

import org.falcosecurity.talon.builtins.Builtins;
import org.falcosecurity.talon.catalog.ActionnerSpec;
import org.falcosecurity.talon.catalog.Catalog;
import org.falcosecurity.talon.catalog.Declarations;
import org.falcosecurity.talon.catalog.OutputSpec;
import org.falcosecurity.talon.catalog.OutputUse;
import org.falcosecurity.talon.catalog.ParamSpec;
import org.falcosecurity.talon.rules.load.LoadResult;
import org.falcosecurity.talon.rules.load.RuleSource;
import org.falcosecurity.talon.rules.load.RulesLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rule-file syntax of upstream Falco Talon: quoted booleans, {@code description} on inline actions,
 * {@code output} and {@code additional_contexts}; what upstream silently ignores is accepted with a warning (file,
 * rule or action, key, closest known name), what upstream refuses stays an error. The output checks run against a
 * declared test actionner that requires an output and a declared test output target.
 */
class UpstreamRuleSyntaxTest {

    private static final ActionnerSpec CAPTURE = ActionnerSpec.builder("test:capture").output(OutputUse.REQUIRED)
            .description("captures something").build();
    private static final ActionnerSpec COLLECT = ActionnerSpec.builder("test:collect").output(OutputUse.ALLOWED)
            .param(ParamSpec.of("tail_lines", ParamSpec.Type.INTEGER)).build();
    private static final OutputSpec SINK = OutputSpec.builder("test:sink")
            .param(ParamSpec.required("bucket", ParamSpec.Type.STRING))
            .param(ParamSpec.of("prefix", ParamSpec.Type.STRING)).build();
    private static final Catalog CATALOG;

    static {
        List<ActionnerSpec> actionners = new ArrayList<>(Builtins.declarations().actionners());
        actionners.add(CAPTURE);
        actionners.add(COLLECT);
        Declarations d = new Declarations(actionners, Builtins.declarations().notifiers(), List.of(SINK));
        List<String> uris = new ArrayList<>();
        actionners.forEach(a -> uris.add(Catalog.actionnerEndpoint(a.name())));
        uris.add(Catalog.outputEndpoint("test:sink"));
        uris.add("direct:notifier-k8sevents");
        CATALOG = Catalog.of(uris, d);
    }

    private static LoadResult load(String yaml) {
        return new RulesLoader(CATALOG).load(List.of(new RuleSource("rules.yaml", yaml, null)));
    }

    @Test
    void quotedBooleansAreBooleans() {
        LoadResult r = load("""
                - action: Label
                  actionner: kubernetes:label
                  continue: "false"
                  ignore_errors: "true"
                  parameters: {labels: {suspicious: "true"}}
                - rule: R
                  continue: "false"
                  dry_run: "true"
                  actions:
                    - action: Label
                    - action: Log
                      actionner: kubernetes:log
                      continue: false
                      ignore_errors: "false"
                """);
        assertThat(r.errors()).isEmpty();
        assertThat(r.warnings()).isEmpty();
        Rule rule = r.rules().rules().get(0);
        assertThat(rule.continueRules()).isFalse();
        assertThat(rule.dryRun()).isTrue();
        assertThat(rule.actions().get(0).continueAfter()).isFalse();
        assertThat(rule.actions().get(0).ignoreErrors()).isTrue();
        assertThat(rule.actions().get(1).continueAfter()).isFalse();
        assertThat(rule.actions().get(1).ignoreErrors()).isFalse();
    }

    static Stream<Arguments> stillErrors() {
        return Stream.of(
                Arguments.of("maybe", "- rule: R\n  continue: maybe\n  actions: [{action: a, actionner: kubernetes:cordon}]",
                        "rules.yaml: rule 'R': continue: must be true or false, got the string 'maybe'"),
                Arguments.of("True in quotes", "- rule: R\n  dry_run: \"True\"\n  actions: [{action: a, actionner: kubernetes:cordon}]",
                        "rule 'R': dry_run: must be true or false, got the string 'True'"),
                Arguments.of("unknown actionner", "- action: Invoke\n  actionner: aws:lambda",
                        "rules.yaml: action 'Invoke': actionner: unknown actionner 'aws:lambda'"),
                Arguments.of("bad priority", "- rule: R\n  match: {priority: Severe}\n  actions: [{action: a, actionner: kubernetes:cordon}]",
                        "rule 'R': match.priority: unknown priority 'Severe'"),
                Arguments.of("dangling reference", "- rule: R\n  actions: [{action: Missing}]",
                        "rule 'R': actions[0].actionner: action 'Missing' is not defined by an action block"),
                Arguments.of("script with file", "- action: S\n  actionner: kubernetes:script\n  parameters: {script: x, file: y}",
                        "action 'S': parameters: 'script' and 'file' are both set"),
                Arguments.of("output required", "- action: C\n  actionner: test:capture",
                        "action 'C': output: an output is required by test:capture"),
                Arguments.of("unknown output target", "- action: C\n  actionner: test:capture\n  output: {target: aws:s3, parameters: {bucket: b}}",
                        "action 'C': output.target: unknown output target 'aws:s3' (known: test:sink)"),
                Arguments.of("no output parameters", "- action: C\n  actionner: test:capture\n  output: {target: test:sink}",
                        "action 'C': output.parameters: missing parameters for the output test:sink"),
                Arguments.of("output parameter missing", "- action: C\n  actionner: test:capture\n  output: {target: test:sink, parameters: {prefix: p}}",
                        "action 'C': output.parameters.bucket: missing parameters for the output test:sink"),
                Arguments.of("output without target", "- action: C\n  actionner: test:capture\n  output: {parameters: {bucket: b}}",
                        "action 'C': output.target: is required"),
                Arguments.of("output not a mapping", "- action: C\n  actionner: test:capture\n  output: aws:s3",
                        "action 'C': output: must be a mapping with 'target' and 'parameters'"),
                Arguments.of("unknown context", "- action: E\n  actionner: kubernetes:exec\n  parameters: {command: id}\n  additional_contexts: [k8sndoe]",
                        "action 'E': additional_contexts[0]: unknown context 'k8sndoe' (did you mean k8snode?)"),
                Arguments.of("contexts not a list", "- action: E\n  actionner: kubernetes:exec\n  parameters: {command: id}\n  additional_contexts: aws",
                        "action 'E': additional_contexts: must be a list of strings"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stillErrors")
    void whatUpstreamRefusesStaysAnError(String name, String yaml, String expected) {
        LoadResult r = load(yaml);
        assertThat(r.ok()).isFalse();
        assertThat(r.errors()).extracting(Object::toString).anySatisfy(m -> assertThat(m).contains(expected));
    }

    static Stream<Arguments> warnings() {
        return Stream.of(
                Arguments.of("camelCase parameter", "- action: T\n  actionner: kubernetes:terminate\n  parameters: {ignoreDaemonsets: false}",
                        "rules.yaml: action 'T': parameters.ignoreDaemonsets: unknown parameter for kubernetes:terminate,"
                                + " ignored (did you mean ignore_daemonsets?)"),
                Arguments.of("abbreviated parameter", "- rule: R\n  actions: [{action: T, actionner: kubernetes:terminate, parameters: {gracePeriods: 2}}]",
                        "rules.yaml: rule 'R': actions[0].parameters.gracePeriods: unknown parameter for kubernetes:terminate,"
                                + " ignored (did you mean grace_period_seconds?)"),
                Arguments.of("parameter of a parameterless actionner", "- action: D\n  actionner: kubernetes:delete\n  parameters: {tail_lines: 200}",
                        "action 'D': parameters.tail_lines: unknown parameter for kubernetes:delete, ignored (it takes no parameters)"),
                Arguments.of("parameter with no close name", "- action: D\n  actionner: kubernetes:drain\n  parameters: {force: true}",
                        "action 'D': parameters.force: unknown parameter for kubernetes:drain, ignored (known: "),
                Arguments.of("unknown rule key", "- rule: R\n  dryrun: true\n  actions: [{action: a, actionner: kubernetes:cordon}]",
                        "rules.yaml: rule 'R': dryrun: unknown key, ignored (did you mean dry_run? known: "),
                Arguments.of("unknown match key", "- rule: R\n  match: {rule: [x]}\n  actions: [{action: a, actionner: kubernetes:cordon}]",
                        "rule 'R': match.rule: unknown key, ignored (did you mean rules? known: "),
                Arguments.of("contexts for additional_contexts", "- action: E\n  actionner: kubernetes:exec\n  parameters: {command: id}\n  contexts: [aws]",
                        "action 'E': contexts: unknown key, ignored (did you mean additional_contexts? known: "),
                Arguments.of("unknown inline key", "- rule: R\n  actions: [{action: a, actionner: kubernetes:cordon, dry_run: true}]",
                        "rule 'R': actions[0].dry_run: unknown key, ignored (known: action, actionner,"),
                Arguments.of("unknown output key", "- action: C\n  actionner: test:capture\n  output: {target: test:sink, parameters: {bucket: b}, region: x}",
                        "action 'C': output.region: unknown key, ignored (known: parameters, target)"),
                Arguments.of("unknown output parameter", "- action: C\n  actionner: test:capture\n  output: {target: test:sink, parameters: {bucket: b, region: us-east-1}}",
                        "action 'C': output.parameters.region: unknown parameter for output test:sink, ignored (known: bucket, prefix)"),
                Arguments.of("output on an actionner without", "- action: T\n  actionner: kubernetes:terminate\n  output: {target: test:sink, parameters: {bucket: b}}",
                        "action 'T': output: ignored: kubernetes:terminate stores no artifact"),
                Arguments.of("contexts on an actionner without", "- action: T\n  actionner: kubernetes:terminate\n  additional_contexts: [aws]",
                        "action 'T': additional_contexts: ignored: kubernetes:terminate uses no additional context"),
                Arguments.of("a block that is neither", "- rul: R\n  actions: []",
                        "rules.yaml: block #1: has neither 'rule' nor 'action' (keys: rul, actions): ignored, did you mean rule?"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("warnings")
    void whatUpstreamIgnoresIsAWarning(String name, String yaml, String expected) {
        LoadResult r = load(yaml);
        assertThat(r.errors()).isEmpty();
        assertThat(r.warnings()).extracting(Object::toString).anySatisfy(m -> assertThat(m).contains(expected));
        // check --strict: the same warnings are errors
        assertThat(r.strict().ok()).isFalse();
        assertThat(r.strict().errors()).extracting(Object::toString).anySatisfy(m -> assertThat(m).contains(expected));
    }

    @Test
    void ignoredParametersDoNotReachTheActionner() {
        LoadResult r = load("""
                - action: Terminate Pod
                  actionner: kubernetes:terminate
                  parameters: {ignoreDaemonsets: true, grace_period_seconds: 5}
                - rule: R
                  actions:
                    - action: Terminate Pod
                      parameters: {gracePeriods: 2}
                """);
        assertThat(r.errors()).isEmpty();
        Action a = r.rules().rules().get(0).actions().get(0);
        assertThat(a.parameters()).containsOnly(Map.entry("grace_period_seconds", 5));
        assertThat(a.runParameters()).doesNotContainKeys("ignoreDaemonsets", "gracePeriods");
        // each warning once, under the block or rule that wrote it
        assertThat(r.warnings()).extracting(Object::toString).containsExactly(
                "rules.yaml: action 'Terminate Pod': parameters.ignoreDaemonsets: unknown parameter for"
                        + " kubernetes:terminate, ignored (did you mean ignore_daemonsets?)",
                "rules.yaml: rule 'R': actions[0].parameters.gracePeriods: unknown parameter for kubernetes:terminate,"
                        + " ignored (did you mean grace_period_seconds?)");
    }

    @Test
    void descriptionsOutputsAndContextsAreKept() {
        LoadResult r = load("""
                - action: Capture
                  description: capture and store
                  actionner: test:capture
                  output:
                    target: test:sink
                    parameters: {bucket: evidence, prefix: /captures/}
                - action: Exec
                  actionner: kubernetes:exec
                  additional_contexts: [k8snode]
                  parameters: {command: 'echo "${NODE_HOSTNAME}"'}
                - rule: R
                  actions:
                    - action: Capture
                      output:
                        parameters: {prefix: /other/}
                    - action: Exec
                      description: node name
                      additional_contexts: [aws, k8snode]
                    - action: Collect
                      description: the last lines
                      actionner: test:collect
                      parameters: {tail_lines: 10}
                """);
        assertThat(r.errors()).isEmpty();
        assertThat(r.warnings()).isEmpty();
        List<Action> actions = r.rules().rules().get(0).actions();
        // the rule's output parameters merge into the block's, the target stays
        assertThat(actions.get(0).description()).isEqualTo("capture and store");
        assertThat(actions.get(0).output()).isEqualTo(new ActionOutput("test:sink",
                Map.of("bucket", "evidence", "prefix", "/other/")));
        assertThat(actions.get(1).description()).isEqualTo("node name");
        assertThat(actions.get(1).additionalContexts()).containsExactly("k8snode", "aws");
        // an allowed output may be left out
        assertThat(actions.get(2).output()).isNull();
        assertThat(actions.get(2).description()).isEqualTo("the last lines");
    }
}
