package org.falcosecurity.talon.rules;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The trace-id rule (item 4): 1 to 64 characters of [A-Za-z0-9._-], else a new id. */
class TraceIdsTest {

    @Test
    void keepsOnlyShortPlainIds() {
        for (String ok : new String[] {"a", "cc84de57-7617-4359-ad40-1a7a8d854743", "A.b_c-9", "x".repeat(64),
            "4bf92f3577b34da6a3ce929d0e0e4736"}) {
            assertThat(TraceIds.acceptable(ok)).as(ok).isTrue();
            assertThat(TraceIds.orNew(ok)).isEqualTo(ok);
        }
        for (String bad : new String[] {null, "", "x".repeat(65), "a\r\nb", "a b", "a\tb", "<!channel>", "a/b",
            "a:b", "ünï", "a\u0000", "a\u2028b", "${jndi:x}", "a%0d%0ab", "00-4bf92f35-01 "}) {
            assertThat(TraceIds.acceptable(bad)).as(String.valueOf(bad)).isFalse();
            assertThat(TraceIds.orNew(bad)).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
                    .isNotEqualTo(bad);
        }
        // two refusals give two ids
        assertThat(TraceIds.orNew("a b")).isNotEqualTo(TraceIds.orNew("a b"));
    }

    @Test
    void acceptsExactlyTheCharactersOfTheRuleForEveryCharacter() {
        java.util.regex.Pattern rule = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");
        for (char c = 0; c < Character.MAX_VALUE; c++) {
            String s = "a" + c + "Z";
            assertThat(TraceIds.acceptable(s)).as("U+%04X", (int) c).isEqualTo(rule.matcher(s).matches());
        }
    }
}
