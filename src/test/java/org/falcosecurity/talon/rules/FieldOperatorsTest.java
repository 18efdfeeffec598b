package org.falcosecurity.talon.rules;

import org.falcosecurity.talon.rules.load.LoadResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.falcosecurity.talon.rules.RulesFixture.event;
import static org.falcosecurity.talon.rules.RulesFixture.load;
import static org.falcosecurity.talon.rules.RulesFixture.valid;

/** The operators of {@code match.output_fields} terms against field values: present, absent, non-numeric, unicode. */
class FieldOperatorsTest {

    /** term, field value (null: the event lacks the field), whether the term holds. */
    static Stream<Arguments> table() {
        return Stream.of(
                // = and != (unchanged)
                Arguments.of("f=bash", "bash", true),
                Arguments.of("f=bash", "sh", false),
                Arguments.of("f=bash", null, false),
                Arguments.of("f=", "", true),
                Arguments.of("f!=bash", "sh", true),
                Arguments.of("f!=bash", "bash", false),
                Arguments.of("f!=bash", null, true),
                // ^= prefix
                Arguments.of("f^=/usr/", "/usr/bin/curl", true),
                Arguments.of("f^=/usr/", "/bin/usr/", false),
                Arguments.of("f^=/usr/", null, false),
                Arguments.of("f^=", "anything", true),
                Arguments.of("f^=名前", "名前空間", true),
                // $= suffix
                Arguments.of("f$=.sh", "/tmp/x.sh", true),
                Arguments.of("f$=.sh", "/tmp/x.shx", false),
                Arguments.of("f$=.sh", null, false),
                Arguments.of("f$=🚀", "launch 🚀", true),
                // *= substring
                Arguments.of("f*=nc -e", "sh -c nc -e /bin/sh", true),
                Arguments.of("f*=nc -e", "netcat", false),
                Arguments.of("f*=nc", null, false),
                Arguments.of("f*=ü", "Müller", true),
                Arguments.of("f*=ü", "Muller", false),
                // ~= regex (find anywhere; anchors for the whole value)
                Arguments.of("f~=^(ba)?sh$", "bash", true),
                Arguments.of("f~=^(ba)?sh$", "sh", true),
                Arguments.of("f~=^(ba)?sh$", "zsh", false),
                Arguments.of("f~=curl|wget", "/usr/bin/wget -q", true),
                Arguments.of("f~=curl", null, false),
                Arguments.of("f~=^.$", "🚀", true),
                Arguments.of("f~=^\\p{Han}+$", "名前", true),
                Arguments.of("f~=^\\p{Han}+$", "name", false),
                Arguments.of("f~=^x{1,3}$", "xx", true),
                Arguments.of("f~=^x{1,3}$", "xxxx", false),
                // numeric comparisons
                Arguments.of("f>1024", "8080", true),
                Arguments.of("f>1024", "1024", false),
                Arguments.of("f>=1024", "1024", true),
                Arguments.of("f<1024", "22", true),
                Arguments.of("f<1024", "1024", false),
                Arguments.of("f<=1024", "1024", true),
                Arguments.of("f<=1024", "1024.5", false),
                Arguments.of("f>0.5", "0.75", true),
                Arguments.of("f>-1", "0", true),
                Arguments.of("f>1e3", "1001", true),
                Arguments.of("f<10", "9.99999999999999999999", true),
                Arguments.of("f>9007199254740992", "9007199254740993", true),
                Arguments.of("f>1024", null, false),
                Arguments.of("f<1024", null, false),
                Arguments.of("f>1024", "", false),
                Arguments.of("f<1024", "abc", false),
                Arguments.of("f<1024", "12abc", false),
                Arguments.of("f<1024", "0x10", false),
                Arguments.of("f>=0", "NaN", false),
                Arguments.of("f<1", "-Infinity", false),
                Arguments.of("f<=0", "١", false),
                Arguments.of("f>0", "1".repeat(200), false));
    }

    @ParameterizedTest(name = "{0} on {1} -> {2}")
    @MethodSource("table")
    void operatorAgainstValue(String term, String value, boolean holds) {
        Map<String, String> fields = new HashMap<>();
        if (value != null) {
            fields.put("f", value);
        }
        Event e = event("r", Priority.DEBUG, List.of(), fields);
        FieldTerm t = FieldTerm.parse(term);
        assertThat(t.test(e)).isEqualTo(holds);
        // the explaining variant agrees with the fast path
        assertThat(t.whyNot(e) == null).isEqualTo(holds);
    }

    @Test
    void termsKeepTheirTextForPrintingAndExplaining() {
        FieldTerm t = FieldTerm.parse(" proc.cmdline ~= ^curl .* ");
        assertThat(t.key()).isEqualTo("proc.cmdline");
        assertThat(t.op()).isEqualTo(FieldTerm.Op.REGEX);
        assertThat(t.value()).isEqualTo("^curl .*");
        assertThat(t).hasToString("proc.cmdline~=^curl .*");
        Event e = event("r", Priority.DEBUG, List.of(), Map.of("proc.cmdline", "wget x"));
        assertThat(t.whyNot(e)).isEqualTo("'proc.cmdline~=^curl .*': proc.cmdline is 'wget x'");
        assertThat(FieldTerm.parse("fd.rport>1024").whyNot(event("r", Priority.DEBUG, List.of(),
                Map.of("fd.rport", "ssh")))).isEqualTo("'fd.rport>1024': fd.rport is 'ssh', not a number");
        assertThat(FieldTerm.parse("fd.rport>1024").whyNot(event("r", Priority.DEBUG, List.of(), Map.of())))
                .isEqualTo("'fd.rport>1024': the event has no field fd.rport");
    }

    @Test
    void aRegexThatBacktracksCatastrophicallyInJavaUtilRegexFinishesAtOnce() {
        // (a+)+$ against "aaa…ab" takes 2^n steps in a backtracking engine; RE2 is linear in the input
        FieldTerm t = FieldTerm.parse("proc.cmdline~=^(a+)+$");
        String evil = "a".repeat(100_000) + "b";
        Event e = event("r", Priority.DEBUG, List.of(), Map.of("proc.cmdline", evil));
        // a hang guard, not a speed target: a backtracking engine would not finish this within the age of the sun
        boolean held = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> t.test(e));
        assertThat(held).isFalse();
        assertThat(t.test(event("r", Priority.DEBUG, List.of(), Map.of("proc.cmdline", "aaaa")))).isTrue();
    }

    @Test
    void commaSeparatedTermsAreAndAndEntriesAreOr() {
        RuleSet rules = valid("""
                - rule: r
                  match:
                    output_fields:
                      - "proc.name^=ba, fd.rport>=1024, k8s.ns.name!=kube-system"
                      - "proc.cmdline~=^x{1,3}$"
                  actions:
                    - action: log
                      actionner: custom:log
                """);
        Rule r = rules.rules().get(0);
        assertThat(r.match().outputFields().get(0)).extracting(FieldTerm::toString)
                .containsExactly("proc.name^=ba", "fd.rport>=1024", "k8s.ns.name!=kube-system");
        assertThat(r.match().outputFields().get(1)).extracting(FieldTerm::toString)
                .containsExactly("proc.cmdline~=^x{1,3}$");
        assertThat(fired(rules, Map.of("proc.name", "bash", "fd.rport", "8080", "k8s.ns.name", "prod"))).isTrue();
        assertThat(fired(rules, Map.of("proc.name", "bash", "fd.rport", "80", "k8s.ns.name", "prod"))).isFalse();
        assertThat(fired(rules, Map.of("proc.name", "bash", "fd.rport", "8080", "k8s.ns.name", "kube-system")))
                .isFalse();
        assertThat(fired(rules, Map.of("proc.cmdline", "xx"))).isTrue();
        assertThat(fired(rules, Map.of("proc.cmdline", "xxxx"))).isFalse();
    }

    private static boolean fired(RuleSet rules, Map<String, String> fields) {
        return !rules.plan(event("any", Priority.DEBUG, List.of(), fields), false).isEmpty();
    }

    @Test
    void anInvalidRegexIsACheckErrorNamingFileRuleAndTerm() {
        LoadResult r = load("""
                - rule: bad regex
                  match:
                    output_fields:
                      - "k8s.ns.name=prod, proc.cmdline~=^(curl"
                  actions:
                    - action: log
                      actionner: custom:log
                """);
        assertThat(r.ok()).isFalse();
        assertThat(r.errors()).singleElement().asString()
                .startsWith("rules-0.yaml: rule 'bad regex': match.output_fields[0]: 'proc.cmdline~=^(curl':"
                        + " invalid regular expression")
                .contains("missing closing )");
    }

    @Test
    void backreferencesAndLookaroundsAreNotRe2AndAreRefused() {
        assertThatThrownBy(() -> FieldTerm.parse("f~=(a)\\1")).hasMessageContaining("invalid regular expression");
        assertThatThrownBy(() -> FieldTerm.parse("f~=a(?=b)")).hasMessageContaining("invalid regular expression");
    }

    @Test
    void aComparisonWithSomethingOtherThanANumberIsACheckError() {
        LoadResult r = load("""
                - rule: r
                  match: {output_fields: ["fd.rport>high"]}
                  actions: [{action: a, actionner: custom:log}]
                """);
        assertThat(r.errors()).singleElement().asString().isEqualTo("rules-0.yaml: rule 'r': match.output_fields[0]:"
                + " 'fd.rport>high': 'high' is not a number (> compares numbers, e.g. fd.rport>1024)");
    }

    @Test
    void aTermWithoutAFieldNameNamesItsOperator() {
        assertThatThrownBy(() -> FieldTerm.parse("~=x")).hasMessage("'~=x' has no field name before '~='");
        assertThatThrownBy(() -> FieldTerm.parse(">=3")).hasMessage("'>=3' has no field name before '>='");
        assertThatThrownBy(() -> FieldTerm.parse("proc.name")).hasMessageStartingWith("'proc.name' is not a term");
    }
}
