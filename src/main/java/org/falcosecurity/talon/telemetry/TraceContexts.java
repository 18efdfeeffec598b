package org.falcosecurity.talon.telemetry;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * W3C Trace Context ({@code traceparent}) and how Talon's trace ids map to OpenTelemetry's.
 *
 * <p>An incoming {@code traceparent} is honoured only when it is exactly what the W3C format allows: version
 * {@code 00} (55 characters) or a later version (its extra fields ignored), lower-case hexadecimal, trace id and
 * span id not all zeros. Its trace id — 32 hex characters, within the trace-id rule of {@code rules/TraceIds} —
 * then becomes the event's trace id; anything else is ignored.
 *
 * <p>OpenTelemetry needs a 32-hex trace id; Talon's may be any 1-64 characters of {@code [A-Za-z0-9._-]} (from the
 * sender's {@code trace_id} or {@code uuid}). The mapping: 32 hex characters are the id itself (lower-cased); a UUID
 * (Falcosidekick's {@code uuid}, Talon's own random ids) is its 32 hex digits without the dashes; anything else is
 * the first 16 bytes of the SHA-256 of the id, in hex. Every span also carries the id as Talon knows it
 * ({@code event.trace_id}), so a search by either finds the trace.
 */
public final class TraceContexts {

    private static final Pattern TRACEPARENT =
            Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[^\\s]*)?");
    private static final Pattern HEX32 = Pattern.compile("[0-9a-fA-F]{32}");
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final String ZEROS_32 = "0".repeat(32);
    private static final String ZEROS_16 = "0".repeat(16);
    /** Longer headers are not parsed at all (a version 00 one has 55 characters). */
    private static final int MAX_HEADER = 512;

    private TraceContexts() {
    }

    /** The remote parent a {@code traceparent} header names, or {@code null} when absent or not valid. */
    public static SpanContext parent(String header) {
        if (header == null || header.length() > MAX_HEADER) {
            return null;
        }
        Matcher m = TRACEPARENT.matcher(header.strip());
        if (!m.matches()) {
            return null;
        }
        String version = m.group(1);
        if ("ff".equals(version) || ("00".equals(version) && m.group(5) != null)) {
            return null;
        }
        String traceId = m.group(2);
        String spanId = m.group(3);
        if (ZEROS_32.equals(traceId) || ZEROS_16.equals(spanId)) {
            return null;
        }
        byte flags = (byte) Integer.parseInt(m.group(4), 16);
        return SpanContext.createFromRemoteParent(traceId, spanId, TraceFlags.fromByte(flags),
                TraceState.getDefault());
    }

    /** The {@code traceparent} header naming {@code context} (version 00), or {@code null} for an invalid one. */
    public static String traceparent(SpanContext context) {
        if (context == null || !context.isValid()) {
            return null;
        }
        return "00-" + context.getTraceId() + "-" + context.getSpanId() + "-" + context.getTraceFlags().asHex();
    }

    /** The OpenTelemetry trace id (32 lower-case hex characters) of a Talon trace id. */
    public static String otelTraceId(String traceId) {
        if (traceId != null && HEX32.matcher(traceId).matches() && !ZEROS_32.equals(traceId)) {
            return traceId.toLowerCase(Locale.ROOT);
        }
        if (traceId != null && UUID.matcher(traceId).matches()) {
            String hex = traceId.replace("-", "").toLowerCase(Locale.ROOT);
            if (!ZEROS_32.equals(hex)) {
                return hex;
            }
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest(String.valueOf(traceId).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
