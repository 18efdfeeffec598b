package org.falcosecurity.talon.rules;

import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Item 10 of "secure by default": the event parser (what every POST reaches) fuzzed with Jazzer. Any body gives an
 * {@link Event} or a {@link BadEventException} naming the problem, never another exception, a hang or a silent
 * half-event, and the intake's streaming path ({@link EventParser#stream}) accepts exactly the bodies the tree path
 * accepts, with the same event. The seeds (src/test/resources/org/falcosecurity/talon/rules/EventParserFuzzTestInputs: real Falco
 * events, the hostile corpus's shapes, and every crash found, kept as a regression input) replay as plain JUnit tests
 * in every build; {@code .ci/fuzz} fuzzes for longer.
 */
class EventParserFuzzTest {

    private static final EventParser PARSER = new EventParser(1024 * 1024);

    @FuzzTest(maxDuration = "5m")
    void parse(byte[] body) throws Exception {
        Event e;
        try {
            e = PARSER.parse(body);
        } catch (BadEventException bad) {
            assertThat(bad.getMessage()).isNotBlank();
            // the fast streaming path refuses what the tree path refuses
            assertThat(streamOrNull(body)).isNull();
            return;
        }
        // ... and gives the event the tree path gives
        assertThat(streamOrNull(body)).isEqualTo(PARSER.parseTree(body)).isEqualTo(e);
        assertThat(e.rule()).isNotBlank();
        assertThat(e.priority()).isNotNull();
        assertThat(e.source()).isNotEmpty();
        assertThat(e.uuid()).isNotNull();
        assertThat(e.outputFields()).isNotNull().doesNotContainValue(null);
        assertThat(e.tags()).isNotNull().doesNotContainNull();
        assertThat(e.outputText()).isNotNull();
        // the trace id Talon derives from the event always follows the rule
        assertThat(TraceIds.acceptable(TraceIds.of(e))).isTrue();
        // the key of the pod gate and the worker partition exists for every event
        assertThat(e.podKey()).isNotNull();
    }

    private static Event streamOrNull(byte[] body) {
        try {
            return body == null || body.length == 0 ? null : PARSER.stream(body);
        } catch (java.io.IOException | RuntimeException notJson) {
            return null;
        }
    }
}
