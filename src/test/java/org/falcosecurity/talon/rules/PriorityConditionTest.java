package org.falcosecurity.talon.rules;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PriorityConditionTest {

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource({
        ">=Critical, Critical, true",
        ">=Critical, Alert, true",
        ">=Critical, Emergency, true",
        ">=Critical, Error, false",
        ">Critical, Critical, false",
        ">Critical, Alert, true",
        "<Warning, Notice, true",
        "<Warning, Warning, false",
        "<Warning, Debug, true",
        "<=Warning, Warning, true",
        "<=Warning, Error, false",
        "=Notice, Notice, true",
        "=Notice, Warning, false",
        "Notice, Notice, true",
        "Notice, Informational, false",
        "debug, Debug, true",
        ">=informational, Debug, false",
        ">=Info, Informational, true",
        ">=INFO, Notice, true",
        "'>= Error', Critical, true",
        "'  <alert  ', Critical, true",
        "<Emergency, Alert, true",
        ">Emergency, Emergency, false",
    })
    void comparesInFalcoOrder(String condition, String actual, boolean expected) {
        PriorityCondition c = PriorityCondition.parse(condition);
        assertThat(c.test(Priority.parse(actual).orElseThrow())).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"'>=Critcal', unknown priority 'Critcal'", "'=>Critical', not a priority comparison",
        "'', not a priority comparison", "'>=', not a priority comparison", "'>>Error', not a priority comparison"})
    void rejectsBadSyntaxWithAMessage(String condition, String message) {
        assertThatThrownBy(() -> PriorityCondition.parse(condition)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @ParameterizedTest
    @CsvSource({"Debug, 0", "Informational, 1", "Info, 1", "Notice, 2", "Warning, 3", "Error, 4", "Critical, 5",
        "Alert, 6", "Emergency, 7"})
    void ordersEveryPriority(String name, int ordinal) {
        assertThat(Priority.parse(name).orElseThrow().ordinal()).isEqualTo(ordinal);
    }
}
