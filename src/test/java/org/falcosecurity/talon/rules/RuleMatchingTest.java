package org.falcosecurity.talon.rules;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.falcosecurity.talon.rules.RulesFixture.event;
import static org.falcosecurity.talon.rules.RulesFixture.valid;

class RuleMatchingTest {

    private static final String LOG = """
              actions:
                - action: log
                  actionner: custom:log
            """;

    private static List<String> fired(RuleSet rules, Event e) {
        return rules.plan(e, false).stream().map(m -> m.rule().name()).toList();
    }

    @Test
    void matchRulesIsAnOrAndEmptyMeansAny() {
        RuleSet rules = valid("""
                - rule: named
                  match:
                    rules: [A, B]
                """ + LOG + """
                - rule: any
                """ + LOG);
        assertThat(fired(rules, event("A", Priority.DEBUG, List.of(), Map.of()))).containsExactly("named", "any");
        assertThat(fired(rules, event("B", Priority.DEBUG, List.of(), Map.of()))).containsExactly("named", "any");
        assertThat(fired(rules, event("C", Priority.DEBUG, List.of(), Map.of()))).containsExactly("any");
    }

    @Test
    void indexKeepsFileOrderAcrossNamedAndUnnamedRules() {
        RuleSet rules = valid("""
                - rule: first-any
                """ + LOG + """
                - rule: second-named
                  match: {rules: [X]}
                """ + LOG + """
                - rule: third-any
                """ + LOG + """
                - rule: fourth-named
                  match: {rules: [Y, X]}
                """ + LOG + """
                - rule: fifth-other
                  match: {rules: [Z]}
                """ + LOG);
        assertThat(fired(rules, event("X", Priority.DEBUG, List.of(), Map.of())))
                .containsExactly("first-any", "second-named", "third-any", "fourth-named");
    }

    @Test
    void priorityComparison() {
        RuleSet rules = valid("""
                - rule: critical-or-more
                  match: {priority: ">=Critical"}
                """ + LOG);
        assertThat(fired(rules, event("x", Priority.ALERT, List.of(), Map.of()))).containsExactly("critical-or-more");
        assertThat(fired(rules, event("x", Priority.ERROR, List.of(), Map.of()))).isEmpty();
    }

    @Test
    void tagsEntriesAreOrAndCommaSeparatedTagsAreAnd() {
        RuleSet rules = valid("""
                - rule: tagged
                  match:
                    tags:
                      - "container, shell"
                      - network
                """ + LOG);
        assertThat(fired(rules, event("x", Priority.DEBUG, List.of("shell", "container", "T1"), Map.of())))
                .containsExactly("tagged");
        assertThat(fired(rules, event("x", Priority.DEBUG, List.of("shell"), Map.of()))).isEmpty();
        assertThat(fired(rules, event("x", Priority.DEBUG, List.of("network"), Map.of()))).containsExactly("tagged");
        assertThat(fired(rules, event("x", Priority.DEBUG, List.of(), Map.of()))).isEmpty();
    }

    @Test
    void outputFieldEntriesAreOrAndTermsAreAnd() {
        RuleSet rules = valid("""
                - rule: fields
                  match:
                    output_fields:
                      - "k8s.ns.name=prod, proc.name=sh"
                      - "k8s.ns.name=dev"
                """ + LOG);
        assertThat(fired(rules, event("x", Priority.DEBUG, List.of(),
                Map.of("k8s.ns.name", "prod", "proc.name", "sh")))).containsExactly("fields");
        assertThat(fired(rules, event("x", Priority.DEBUG, List.of(),
                Map.of("k8s.ns.name", "prod", "proc.name", "bash")))).isEmpty();
        assertThat(fired(rules, event("x", Priority.DEBUG, List.of(), Map.of("k8s.ns.name", "dev"))))
                .containsExactly("fields");
    }

    @Test
    void notEqualsHoldsWhenTheKeyIsAbsent() {
        RuleSet rules = valid("""
                - rule: not-kube-system
                  match:
                    output_fields:
                      - "k8s.ns.name!=kube-system"
                """ + LOG);
        assertThat(fired(rules, event("x", Priority.DEBUG, List.of(), Map.of("k8s.ns.name", "default"))))
                .containsExactly("not-kube-system");
        assertThat(fired(rules, event("x", Priority.DEBUG, List.of(), Map.of()))).containsExactly("not-kube-system");
        assertThat(fired(rules, event("x", Priority.DEBUG, List.of(), Map.of("k8s.ns.name", "kube-system"))))
                .isEmpty();
    }

    @Test
    void numbersAndBooleansCompareAsCanonicalStrings() throws Exception {
        RuleSet rules = valid("""
                - rule: root-tty
                  match:
                    output_fields:
                      - "user.uid=0, proc.tty=34817, fd.rport!=443, evt.is_open_write=true, user.loginuid=-1"
                """ + LOG);
        EventParser p = new EventParser();
        Event e = p.parse("""
                {"rule":"x","priority":"Notice","output_fields":{"user.uid":0,"proc.tty":34817.0,"fd.rport":80,
                 "evt.is_open_write":true,"user.loginuid":-1}}""");
        assertThat(fired(rules, e)).containsExactly("root-tty");
        Event other = p.parse("""
                {"rule":"x","priority":"Notice","output_fields":{"user.uid":1000,"proc.tty":34817,
                 "evt.is_open_write":true,"user.loginuid":-1}}""");
        assertThat(fired(rules, other)).isEmpty();
    }

    @Test
    void emptyValueMatchesNullAndEmptyButNotAbsent() throws Exception {
        RuleSet rules = valid("""
                - rule: empty-image
                  match:
                    output_fields:
                      - "container.image="
                """ + LOG);
        EventParser p = new EventParser();
        assertThat(fired(rules, p.parse("{\"rule\":\"x\",\"priority\":\"Debug\",\"output_fields\":"
                + "{\"container.image\":null}}"))).containsExactly("empty-image");
        assertThat(fired(rules, p.parse("{\"rule\":\"x\",\"priority\":\"Debug\",\"output_fields\":"
                + "{\"container.image\":\"\"}}"))).containsExactly("empty-image");
        assertThat(fired(rules, p.parse("{\"rule\":\"x\",\"priority\":\"Debug\",\"output_fields\":{}}"))).isEmpty();
    }

    @Test
    void sourceIsEquality() {
        RuleSet rules = valid("""
                - rule: audit
                  match: {source: k8s_audit}
                """ + LOG);
        Event audit = new Event("", "x", Priority.DEBUG, "", "", "", "k8s_audit", "", List.of(), Map.of());
        assertThat(fired(rules, audit)).containsExactly("audit");
        assertThat(fired(rules, event("x", Priority.DEBUG, List.of(), Map.of()))).isEmpty();
    }

    @Test
    void everyCriterionMustHold() {
        RuleSet rules = valid("""
                - rule: all
                  match:
                    rules: [X]
                    priority: ">=Warning"
                    tags: [shell]
                    output_fields: ["k8s.ns.name=prod"]
                    source: syscall
                """ + LOG);
        Event ok = event("X", Priority.ERROR, List.of("shell"), Map.of("k8s.ns.name", "prod"));
        assertThat(fired(rules, ok)).containsExactly("all");
        assertThat(fired(rules, event("X", Priority.NOTICE, List.of("shell"), Map.of("k8s.ns.name", "prod"))))
                .isEmpty();
        assertThat(fired(rules, event("X", Priority.ERROR, List.of(), Map.of("k8s.ns.name", "prod")))).isEmpty();
        assertThat(fired(rules, event("X", Priority.ERROR, List.of("shell"), Map.of()))).isEmpty();
    }

    @Test
    void aFiredRuleWithContinueFalseStopsTheRulesBelow() {
        RuleSet rules = valid("""
                - rule: one
                  match: {rules: [X]}
                """ + LOG + """
                - rule: two
                  continue: false
                """ + LOG + """
                - rule: three
                """ + LOG);
        assertThat(fired(rules, event("X", Priority.DEBUG, List.of(), Map.of()))).containsExactly("one", "two");
        // a rule with continue: false that does not fire does not stop anything
        RuleSet notFired = valid("""
                - rule: stopper
                  match: {rules: [Y]}
                  continue: false
                """ + LOG + """
                - rule: after
                """ + LOG);
        assertThat(fired(notFired, event("X", Priority.DEBUG, List.of(), Map.of()))).containsExactly("after");
    }

    @Test
    void actionsStopAfterTheFirstWithContinueFalseIncludingActionnerDefaults() {
        RuleSet rules = valid("""
                - rule: chain
                  actions:
                    - action: label
                      actionner: kubernetes:label
                      parameters: {labels: {a: b}}
                    - action: kill
                      actionner: kubernetes:terminate
                    - action: never
                      actionner: custom:log
                - rule: overridden
                  actions:
                    - action: kill
                      actionner: kubernetes:terminate
                      continue: true
                    - action: log
                      actionner: custom:log
                      continue: false
                    - action: never
                      actionner: custom:log
                """);
        List<RuleMatch> plan = rules.plan(event("x", Priority.DEBUG, List.of(), Map.of()), false);
        assertThat(plan.get(0).actions()).extracting(Action::name).containsExactly("label", "kill");
        assertThat(plan.get(1).actions()).extracting(Action::name).containsExactly("kill", "log");
    }

    @Test
    void dryRunComesFromTheRuleOrTheGlobalSetting() {
        RuleSet rules = valid("""
                - rule: dry
                  dry_run: true
                """ + LOG + """
                - rule: wet
                """ + LOG);
        List<RuleMatch> plan = rules.plan(event("x", Priority.DEBUG, List.of(), Map.of()), false);
        assertThat(plan).extracting(RuleMatch::dryRun).containsExactly(true, false);
        List<RuleMatch> global = rules.plan(event("x", Priority.DEBUG, List.of(), Map.of()), true);
        assertThat(global).extracting(RuleMatch::dryRun).containsExactly(true, true);
    }
}
