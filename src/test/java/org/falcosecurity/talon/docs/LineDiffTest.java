package org.falcosecurity.talon.docs;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The difference a failing doc test shows. */
class LineDiffTest {

    @Test
    void aChangedLineIsShownWithItsContext() {
        assertThat(LineDiff.diff("a\nb\nc\n", "a\nB\nc\n", "doc", "declarations")).isEqualTo("""
                --- doc
                +++ declarations
                  a
                - b
                + B
                  c
                 \s
                """);
    }

    @Test
    void distantChangesAreSeparateHunksAndAddedOrRemovedLinesShow() {
        String before = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10";
        String after = "0\n1\n2\n3\n4\n5\n6\n7\n8\n10";
        assertThat(LineDiff.diff(before, after, "a", "b")).isEqualTo("""
                --- a
                +++ b
                + 0
                  1
                  2
                ...
                  7
                  8
                - 9
                  10
                """);
    }
}
