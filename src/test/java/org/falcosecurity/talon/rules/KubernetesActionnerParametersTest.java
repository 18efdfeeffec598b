package org.falcosecurity.talon.rules;

import org.falcosecurity.talon.actionners.kubernetes.PodCommands;
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

/** What `check` says about the parameters of the Kubernetes actionners, and the defaults they run with. */
class KubernetesActionnerParametersTest {

    private static String rule(String actionner, String params) {
        return "- rule: r\n  actions: [{action: a, actionner: " + actionner + ", parameters: " + params + "}]";
    }

    static Stream<Arguments> invalid() {
        String big = "x".repeat(PodCommands.MAX_SCRIPT_BYTES + 1);
        return Stream.of(
                Arguments.of(rule("kubernetes:label", "{labels: {\"bad key\": x}}"),
                        "parameters.labels: key 'bad key' is not a valid name"),
                Arguments.of(rule("kubernetes:label", "{labels: {\"Falco.Org/x\": y}}"),
                        "parameters.labels: key 'Falco.Org/x' has an invalid prefix (expected a DNS subdomain"),
                Arguments.of(rule("kubernetes:label", "{labels: {\"a/b/c\": y}}"),
                        "parameters.labels: key 'a/b/c' has an invalid prefix"),
                Arguments.of(rule("kubernetes:label", "{labels: {note: \"two words\"}}"),
                        "parameters.labels: value of 'note' is not a valid label value"),
                Arguments.of(rule("kubernetes:labelize", "{labels: {note: " + "v".repeat(64) + "}}"),
                        "parameters.labels: value of 'note' is not a valid label value"),
                Arguments.of(rule("kubernetes:label", "{labels: {}}"), "parameters.labels: must name at least one"),
                Arguments.of(rule("kubernetes:annotation", "{annotations: {\"-x\": y}}"),
                        "parameters.annotations: key '-x' is not a valid name"),
                Arguments.of(rule("kubernetes:annotation", "{annotations: {a: b}, level: namespace}"),
                        "parameters.level: must be one of pod, node, got 'namespace'"),
                Arguments.of(rule("kubernetes:exec", "{command: id, shell: \"/bin/sh -x\"}"),
                        "parameters.shell: must be a single program such as /bin/bash (no spaces or arguments)"),
                Arguments.of(rule("kubernetes:exec", "{command: \"\"}"), "parameters.command: must not be empty"),
                Arguments.of(rule("kubernetes:exec", "{command: " + "y".repeat(PodCommands.MAX_COMMAND_BYTES + 1)
                        + "}"), "parameters.command: is longer than 16384 bytes"),
                Arguments.of(rule("kubernetes:exec", "{command: id, container: \" \"}"),
                        "parameters.container: must not be empty"),
                Arguments.of(rule("kubernetes:script", "{script: " + big + "}"),
                        "parameters.script: is longer than 65536 bytes"),
                Arguments.of(rule("kubernetes:script", "{shell: /bin/sh}"),
                        "parameters: one of 'script' or 'file' is required"),
                Arguments.of(rule("kubernetes:log", "{tail_lines: 0}"), "parameters.tail_lines: must be 1 or more"),
                Arguments.of(rule("kubernetes:log", "{tail_lines: \"100\"}"),
                        "parameters.tail_lines: must be an integer"),
                Arguments.of(rule("kubernetes:networkpolicy", "{allow_namespaces: [Kube_System]}"),
                        "parameters.allow_namespaces: 'Kube_System' is not a valid namespace name"),
                Arguments.of(rule("kubernetes:networkpolicy", "{allow: [\"10.0.0.0\"]}"),
                        "parameters.allow: '10.0.0.0' is not a CIDR"),
                Arguments.of(rule("kubernetes:terminate", "{min_healthy_replicas: \"half\"}"),
                        "parameters.min_healthy_replicas: must be a count such as \"3\" or a percentage"),
                Arguments.of(rule("kubernetes:terminate", "{ignore_standalone_pods: \"yes\"}"),
                        "parameters.ignore_standalone_pods: must be a boolean"),
                Arguments.of(rule("kubernetes:drain", "{max_wait_period: -1}"),
                        "parameters.max_wait_period: must be 0 or more"),
                Arguments.of(rule("kubernetes:drain", "{min_healthy_replicas: \"101%\"}"),
                        "parameters.min_healthy_replicas: must be a percentage of at most 100%"));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void checkNamesTheParameterAndTheProblem(String yaml, String expected) {
        LoadResult r = RulesFixture.load(yaml);
        assertThat(r.errors()).extracting(Object::toString).anySatisfy(m -> assertThat(m).contains(expected));
    }

    @Test
    void unknownParametersAreIgnoredWithAWarning() {
        for (String[] c : new String[][] {
            {rule("kubernetes:networkpolicy", "{deny: [\"10.0.0.0/8\"]}"),
                "parameters.deny: unknown parameter for kubernetes:networkpolicy, ignored (known: allow_cidr"},
            {rule("kubernetes:delete", "{tail_lines: 200}"),
                "parameters.tail_lines: unknown parameter for kubernetes:delete, ignored (it takes no parameters)"}}) {
            LoadResult r = RulesFixture.load(c[0]);
            assertThat(r.errors()).isEmpty();
            assertThat(r.warnings()).extracting(Object::toString).anySatisfy(m -> assertThat(m).contains(c[1]));
        }
    }

    @Test
    void validMetadataKeysAndValues() {
        RulesFixture.valid(rule("kubernetes:label", "{labels: {falco.org/suspicious: \"true\", a.b_c-d: v.1,"
                + " gone: \"\", also-gone: , n: 3, yes: true}, level: node}"));
        RulesFixture.valid(rule("kubernetes:annotation", "{annotations: {falco.org/reason: \"any text: at all\"}}"));
    }

    private static Action only(String yaml) {
        return RulesFixture.valid(yaml).rules().get(0).actions().get(0);
    }

    @Test
    void defaultsAreFilledForTheRunNotForDisplay() {
        Action exec = only(rule("kubernetes:exec", "{command: id}"));
        assertThat(exec.runParameters()).containsEntry("shell", "/bin/sh");
        assertThat(exec.parameters()).doesNotContainKey("shell");
        assertThat(only(rule("kubernetes:log", "{}")).runParameters()).containsEntry("tail_lines", 1000);
        assertThat(only(rule("kubernetes:label", "{labels: {a: b}}")).runParameters()).containsEntry("level", "pod");
        assertThat(only(rule("kubernetes:drain", "{}")).runParameters()).isEqualTo(Map.of("max_wait_period", 0));
        assertThat(only(rule("kubernetes:log", "{tail_lines: 5}")).runParameters()).containsEntry("tail_lines", 5);
        assertThat(only(rule("kubernetes:terminate", "{}")).runParameters()).isEmpty();
    }

    @Test
    void defaultContinue() {
        assertThat(only(rule("kubernetes:terminate", "{}")).continueAfter()).isFalse();
        assertThat(only(rule("kubernetes:delete", "{}")).continueAfter()).isFalse();
        for (String a : List.of("kubernetes:cordon", "kubernetes:drain")) {
            assertThat(only(rule(a, "{}")).continueAfter()).as(a).isTrue();
        }
        assertThat(only(rule("kubernetes:label", "{labels: {a: b}}")).continueAfter()).isTrue();
        assertThat(only(rule("kubernetes:exec", "{command: id}")).continueAfter()).isTrue();
    }

    @Test
    void scriptFilesMustNotBeEmptyNorTooLarge(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("empty.sh"), "  \n");
        Files.writeString(dir.resolve("big.sh"), "#".repeat(PodCommands.MAX_SCRIPT_BYTES + 1));
        for (String[] c : new String[][] {{"empty.sh", "is empty"}, {"big.sh", "is larger than 65536 bytes"}}) {
            LoadResult r = new RulesLoader(RulesFixture.CATALOG).load(List.of(new RuleSource("rules.yaml",
                    rule("kubernetes:script", "{file: " + c[0] + "}"), dir)));
            assertThat(r.errors()).extracting(Object::toString)
                    .anySatisfy(m -> assertThat(m).contains("parameters.file: '" + c[0] + "' " + c[1]));
        }
    }
}
