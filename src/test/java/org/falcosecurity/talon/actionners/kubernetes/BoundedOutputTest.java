package org.falcosecurity.talon.actionners.kubernetes;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class BoundedOutputTest {

    private static void write(BoundedOutput o, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        o.write(b, 0, b.length);
    }

    @Test
    void underTheLimitEverythingIsKept() {
        BoundedOutput o = new BoundedOutput(10, false);
        write(o, "abc");
        write(o, "def");
        assertThat(o.truncated()).isFalse();
        assertThat(o.textWithNotice()).isEqualTo("abcdef");
    }

    @Test
    void headModeKeepsTheFirstBytes() {
        BoundedOutput o = new BoundedOutput(4, false);
        write(o, "abc");
        write(o, "defgh");
        assertThat(o.text()).isEqualTo("abcd");
        assertThat(o.textWithNotice()).isEqualTo("abcd\n[truncated: kept the first 4 of 8 bytes]");
    }

    @Test
    void tailModeKeepsTheLastBytesAcrossWrites() {
        BoundedOutput o = new BoundedOutput(5, true);
        write(o, "line1\n");
        write(o, "li");
        write(o, "ne2\n");
        assertThat(o.total()).isEqualTo(12);
        assertThat(o.text()).isEqualTo("ine2\n");
        assertThat(o.textWithNotice()).isEqualTo("[truncated: kept the last 5 of 12 bytes]\nine2\n");
        write(o, "0123456789");
        assertThat(o.text()).isEqualTo("56789");
    }

    @Test
    void aCharacterCutAtTheLimitBecomesAReplacementCharacter() {
        BoundedOutput o = new BoundedOutput(4, false);
        write(o, "abcé");
        assertThat(o.text()).isEqualTo("abc\uFFFD");
    }
}
