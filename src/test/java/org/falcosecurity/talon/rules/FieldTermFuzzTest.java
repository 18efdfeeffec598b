package org.falcosecurity.talon.rules;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Item 10 of "secure by default": the {@code match.output_fields} term parser fuzzed with Jazzer. A term either parses
 * into a key and a value that print back to the same term ({@code toString} then {@code parse} gives it again, so
 * {@code rules print} shows what is matched), or is refused with an {@link IllegalArgumentException} that names it.
 * Seeds and regression inputs: src/test/resources/org/falcosecurity/talon/rules/FieldTermFuzzTestInputs.
 */
class FieldTermFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void parse(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        FieldTerm t;
        try {
            t = FieldTerm.parse(text);
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        assertThat(t.key()).isNotEmpty().doesNotContain("=").isEqualTo(t.key().trim());
        assertThat(t.value()).isEqualTo(t.value().trim());
        FieldTerm again = FieldTerm.parse(t.toString());
        assertThat(again).as("'%s' prints as '%s'", text, t).isEqualTo(t);
    }

    /** The first finding (kept as crash-key-ends-with-bang*): "a! =b" printed back as "a!=b", another term. */
    @org.junit.jupiter.api.Test
    void aFieldNameEndingWithBangIsRefusedWithTheReason() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FieldTerm.parse("k8s.ns.name! =kube-system"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'k8s.ns.name! =kube-system': the field name 'k8s.ns.name!' ends with '!' (write"
                        + " k8s.ns.name!=value for \"not equal\")");
        FieldTerm notEqual = FieldTerm.parse("k8s.ns.name!=kube-system");
        assertThat(notEqual.key()).isEqualTo("k8s.ns.name");
        assertThat(notEqual.op()).isEqualTo(FieldTerm.Op.NOT_EQUAL);
        assertThat(notEqual.value()).isEqualTo("kube-system");
    }
}
