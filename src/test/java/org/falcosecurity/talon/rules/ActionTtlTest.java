package org.falcosecurity.talon.rules;

import org.falcosecurity.talon.rules.load.LoadResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.falcosecurity.talon.rules.RulesFixture.load;
import static org.falcosecurity.talon.rules.RulesFixture.valid;

/** {@code ttl} on an action: parsed, merged like the other scalars, and refused for actionners Talon cannot revert. */
class ActionTtlTest {

    @Test
    void aReversibleActionKeepsItsTtlAndAnInlineActionOverridesTheBlocks() {
        RuleSet rules = valid("""
                - action: Quarantine
                  actionner: kubernetes:label
                  ttl: 30m
                  parameters: {labels: {quarantine: "true"}}
                - rule: r
                  actions:
                    - action: Quarantine
                    - action: Isolate
                      actionner: kubernetes:networkpolicy
                      ttl: 1h30m
                    - action: Cordon
                      actionner: kubernetes:cordon
                      ttl: 2s
                    - action: Note
                      actionner: kubernetes:annotation
                      parameters: {annotations: {why: shell}}
                - rule: s
                  actions:
                    - action: Quarantine
                      ttl: 45s
                """);
        assertThat(rules.rules().get(0).actions()).extracting(Action::ttl).containsExactly(Duration.ofMinutes(30),
                Duration.ofMinutes(90), Duration.ofSeconds(2), null);
        assertThat(rules.rules().get(1).actions().get(0).ttl()).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void aTtlOnAnActionnerThatCannotBeRevertedIsACheckError() {
        LoadResult r = load("""
                - rule: r
                  actions:
                    - action: Kill
                      actionner: kubernetes:terminate
                      ttl: 10m
                """);
        assertThat(r.errors()).singleElement().asString().isEqualTo("rules-0.yaml: rule 'r': actions[0].ttl:"
                + " kubernetes:terminate cannot be reverted: ttl is only for the reversible actionners"
                + " (kubernetes:annotation, kubernetes:cordon, kubernetes:label, kubernetes:labelize,"
                + " kubernetes:networkpolicy)");
    }

    @Test
    void aTtlThatIsNotADurationNamesTheField() {
        LoadResult r = load("""
                - action: Quarantine
                  actionner: kubernetes:label
                  ttl: 30 minutes
                  parameters: {labels: {quarantine: "true"}}
                - rule: r
                  actions:
                    - action: Quarantine
                    - action: Other
                      actionner: kubernetes:label
                      ttl: 0s
                      parameters: {labels: {x: "y"}}
                """);
        assertThat(r.errors()).extracting(Object::toString).containsExactlyInAnyOrder(
                "rules-0.yaml: action 'Quarantine': ttl: '30 minutes' is not a duration (expected a number and a"
                        + " unit, ms, s, m, h or d, such as 30s, 30m or 1h30m)",
                "rules-0.yaml: rule 'r': actions[1].ttl: must be at least 1s");
    }

    @Test
    void durationsReadBackWhatTheyPrint() {
        assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("2d")).isEqualTo(Duration.ofDays(2));
        assertThat(Durations.parse("1500ms")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
        assertThat(Durations.format(Duration.ofSeconds(2))).isEqualTo("2s");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThatThrownBy(() -> Durations.parse("-5m")).hasMessageContaining("is not a duration");
        assertThatThrownBy(() -> Durations.parse("")).hasMessageContaining("is not a duration");
    }
}
