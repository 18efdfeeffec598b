package org.falcosecurity.talon.telemetry;

import io.opentelemetry.api.trace.SpanContext;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** W3C traceparent parsing and how Talon's trace ids map to OpenTelemetry's 32 hex digits. */
class TraceContextsTest {

    @Test
    void aValidTraceparentIsHonoured() {
        SpanContext c = TraceContexts.parent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assertThat(c).isNotNull();
        assertThat(c.getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(c.getSpanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(c.isSampled()).isTrue();
        assertThat(c.isRemote()).isTrue();
        // a later version may carry more fields
        assertThat(TraceContexts.parent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-extra")).isNotNull();
    }

    @Test
    void anythingElseIsIgnored() {
        for (String bad : new String[] {null, "", "garbage", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\nX: y",
                "00-" + "a".repeat(600)}) {
            assertThat(TraceContexts.parent(bad)).as(String.valueOf(bad)).isNull();
        }
    }

    @Test
    void talonTraceIdsMapTo32HexDigits() {
        assertThat(TraceContexts.otelTraceId("4BF92F3577B34DA6A3CE929D0E0E4736"))
                .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(TraceContexts.otelTraceId("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"))
                .isEqualTo("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
        // any other id: the first 16 bytes of its SHA-256 (stable, so every replica maps it alike)
        String mapped = TraceContexts.otelTraceId("falco-event.42");
        assertThat(mapped).matches("[0-9a-f]{32}").isEqualTo(TraceContexts.otelTraceId("falco-event.42"))
                .isNotEqualTo(TraceContexts.otelTraceId("falco-event.43"));
        assertThat(TraceContexts.otelTraceId("00000000000000000000000000000000")).matches("[0-9a-f]{32}")
                .isNotEqualTo("00000000000000000000000000000000");
    }
}
