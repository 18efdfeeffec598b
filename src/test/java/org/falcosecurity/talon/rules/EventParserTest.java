package org.falcosecurity.talon.rules;

import org.falcosecurity.talon.support.Events;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventParserTest {

    private final EventParser parser = new EventParser();

    @Test
    void parsesASidekickEvent() throws Exception {
        Event e = parser.parse(Events.load("terminal-shell.json"));
        assertThat(e.uuid()).isEqualTo("cc84de57-7617-4359-ad40-1a7a8d854743");
        assertThat(e.rule()).isEqualTo("Terminal shell in container");
        assertThat(e.priority()).isEqualTo(Priority.NOTICE);
        assertThat(e.source()).isEqualTo("syscall");
        assertThat(e.hostname()).isEqualTo("worker-1");
        assertThat(e.tags()).contains("container", "shell", "T1059");
        assertThat(e.podName()).isEqualTo("cncf-55696bc998-ql5qd");
        assertThat(e.namespace()).isEqualTo("default");
        assertThat(e.outputText()).startsWith("A shell was spawned in a container");
        assertThat(e.output()).startsWith("13:54:29.996542100: Notice A shell");
    }

    @Test
    void numbersAndBooleansBecomeCanonicalStrings() throws Exception {
        Event e = parser.parse("""
                {"rule":"r","priority":"Warning","output_fields":{
                  "a.int": 8080, "a.big": 1234567890123, "a.neg": -1, "a.float": 8080.0, "a.exp": 8.08e3,
                  "a.frac": 0.50, "a.true": true, "a.false": false, "a.null": null, "a.str": "x",
                  "a.list": ["a", 1, true], "a.obj": {"k": 1}}}""");
        assertThat(e.outputFields())
                .containsEntry("a.int", "8080")
                .containsEntry("a.big", "1234567890123")
                .containsEntry("a.neg", "-1")
                .containsEntry("a.float", "8080")
                .containsEntry("a.exp", "8080")
                .containsEntry("a.frac", "0.5")
                .containsEntry("a.true", "true")
                .containsEntry("a.false", "false")
                .containsEntry("a.null", "")
                .containsEntry("a.str", "x")
                .containsEntry("a.list", "a,1,true")
                .containsEntry("a.obj", "{\"k\":1}");
    }

    @Test
    void keysAreCaseInsensitiveAndSourceDefaultsToSyscall() throws Exception {
        Event e = parser.parse(Events.load("minimal-capitalised-keys.json"));
        assertThat(e.rule()).isEqualTo("Test Terminate");
        assertThat(e.priority()).isEqualTo(Priority.CRITICAL);
        assertThat(e.source()).isEqualTo("syscall");
        assertThat(e.tags()).isEmpty();
        assertThat(e.uuid()).isEmpty();
        Event upper = parser.parse("{\"RULE\":\"x\",\"Priority\":\"error\",\"OUTPUT_FIELDS\":{\"k8s.pod.name\":\"p\"}}");
        assertThat(upper.rule()).isEqualTo("x");
        assertThat(upper.priority()).isEqualTo(Priority.ERROR);
        assertThat(upper.field("k8s.pod.name")).isEqualTo("p");
    }

    @Test
    void upstreamsTraceIdAndContextAreRead() throws Exception {
        Event e = new EventParser().parse("{\"rule\":\"r\",\"priority\":\"Notice\",\"Trace_ID\":\"t-1\","
                + "\"context\":{\"aws.region\":\"eu-west-1\",\"n\":3,\"ok\":true,\"none\":null}}");
        assertThat(e.traceId()).isEqualTo("t-1");
        assertThat(e.context()).containsExactlyInAnyOrderEntriesOf(java.util.Map.of("aws.region", "eu-west-1",
                "n", "3", "ok", "true", "none", ""));
        Event plain = new EventParser().parse("{\"rule\":\"r\",\"priority\":\"Notice\"}");
        assertThat(plain.traceId()).isEmpty();
        assertThat(plain.context()).isEmpty();
        // the trace id rule: kept only when it is 1-64 characters of [A-Za-z0-9._-]
        assertThat(TraceIds.of(e)).isEqualTo("t-1");
        assertThat(TraceIds.acceptable("a".repeat(64))).isTrue();
        assertThat(TraceIds.acceptable("a".repeat(65))).isFalse();
        assertThat(TraceIds.acceptable("a b")).isFalse();
        assertThat(TraceIds.acceptable("a\nb")).isFalse();
        assertThat(TraceIds.acceptable("")).isFalse();
    }

    /** Found by EventParserFuzzTest (kept as its regression inputs parse/*number*): numbers at the edge of BigDecimal. */
    @Test
    void numbersWithHugeExponentsAreBoundedOrRefusedNeverAHangOrACrash() {
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> {
            Event e = parser.parse("{\"rule\":\"r\",\"priority\":\"Notice\",\"output_fields\":"
                    + "{\"a\":1e999999999,\"b\":-1e-999999999,\"c\":12.5e-3,\"d\":8.08e3,\"e\":1e99,\"f\":1e100}}");
            assertThat(e.field("a")).isEqualTo("1E+999999999");
            assertThat(e.field("b")).isEqualTo("-1E-999999999");
            assertThat(e.field("c")).isEqualTo("0.0125");
            assertThat(e.field("d")).isEqualTo("8080");
            assertThat(e.field("e")).isEqualTo("1" + "0".repeat(99));
            assertThat(e.field("f")).isEqualTo("1E+100");
        });
        assertThatThrownBy(() -> parser.parse("{\"rule\":\"r\",\"priority\":\"Notice\",\"output_fields\":"
                + "{\"c\":0e-30000000000}}"))
                .isInstanceOf(BadEventException.class)
                .hasMessage("the request body has a number out of range: 0e-30000000000");
    }

    @Test
    void auditEventsFallBackToKaTargetFields() throws Exception {
        Event e = parser.parse(Events.load("k8saudit-namespace-created.json"));
        assertThat(e.source()).isEqualTo("k8s_audit");
        assertThat(e.podName()).isEqualTo("todelete");
        assertThat(e.namespace()).isEqualTo("todelete");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "13:54:29.996542100: Notice A shell was spawned | A shell was spawned",
        "15:01:02.123456789: Critical Disallowed outbound | Disallowed outbound",
        "16:20:00.000000001: Error File below /etc | File below /etc",
        "K8s Namespace Created (user=admin) | K8s Namespace Created (user=admin)",
        "13:54:29.996542100: NotAPriority text | 13:54:29.996542100: NotAPriority text",
    })
    void stripsTheTimeAndPriorityPrefix(String output, String expected) {
        assertThat(EventParser.stripPrefix(output)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"priority\":\"Warning\"} | rule | the event has no 'rule'",
        "{\"rule\":\"\",\"priority\":\"Warning\"} | rule | the event has no 'rule'",
        "{\"rule\":\"r\"} | priority | the event has no 'priority'",
        "{\"rule\":\"r\",\"priority\":\"Severe\"} | priority | unknown priority 'Severe'",
        "{\"rule\":42,\"priority\":\"Warning\"} | rule | 'rule' must be a string, got a number",
        "{\"rule\":\"r\",\"priority\":[\"Warning\"]} | priority | 'priority' must be a string, got an array",
        "{\"rule\":\"r\",\"priority\":\"Warning\",\"tags\":\"a,b\"} | tags | 'tags' must be an array of strings",
        "{\"rule\":\"r\",\"priority\":\"Warning\",\"tags\":[1]} | tags | 'tags[0]' must be a string",
        "{\"rule\":\"r\",\"priority\":\"Warning\",\"output_fields\":[]} | output_fields | 'output_fields' must be a JSON object",
        "{\"rule\":\"r\",\"priority\":\"Warning\",\"hostname\":{}} | hostname | 'hostname' must be a string, got an object",
        "{\"rule\":\"r\",\"Rule\":\"s\",\"priority\":\"Warning\"} | rule | appears twice",
    })
    void namesTheProblem(String body, String field, String message) {
        assertThatThrownBy(() -> parser.parse(body)).isInstanceOfSatisfying(BadEventException.class, e -> {
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.getMessage()).contains(message);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "{\"rule\":", "[1,2]", "\"string\"", "{} {}", "null"})
    void rejectsBodiesThatAreNotOneJsonObject(String body) {
        assertThatThrownBy(() -> parser.parse(body)).isInstanceOf(BadEventException.class)
                .satisfies(e -> assertThat(((BadEventException) e).field()).isNull());
    }

    @Test
    void rejectsDeepNesting() {
        String deep = "{\"rule\":\"r\",\"priority\":\"Debug\",\"output_fields\":{\"x\":" + "[".repeat(100)
                + "]".repeat(100) + "}}";
        assertThatThrownBy(() -> parser.parse(deep)).isInstanceOf(BadEventException.class)
                .hasMessageContaining("not valid JSON");
    }
}
