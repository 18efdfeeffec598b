package org.falcosecurity.talon.outputs;

import org.apache.camel.Exchange;
import org.falcosecurity.talon.artifacts.ArtifactSpool;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.contract.TalonHeaders;
import org.falcosecurity.talon.support.TalonTestServer;

import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Test actionner {@code test:artifact} (a YAML route calling this bean): spools {@code size} deterministic bytes
 * (parameter {@code size}, seed {@code seed}) as the artifact {@code name} through Talon's real spool
 * ({@code talonArtifacts}), as a capture actionner does. {@link #bytes} and {@link #sha256} give what was sent.
 */
public final class TestArtifacts {

    /** The actionner route of {@code test:artifact}. */
    public static final String ROUTE = """
            - route:
                id: actionner-test-artifact
                from:
                  uri: direct:actionner-test-artifact
                  steps:
                    - bean: {ref: testArtifacts, method: make}
            """;

    /**
     * Posts a Falco event of the Falco rule {@code rule} about pod shop/web-1 and returns its first result (waiting
     * up to a minute).
     */
    public static ActionResult run(TalonTestServer talon, String rule) throws Exception {
        return run(talon, rule, Duration.ofSeconds(60));
    }

    /** The same, waiting up to {@code timeout}. */
    public static ActionResult run(TalonTestServer talon, String rule, Duration timeout) throws Exception {
        String uuid = UUID.randomUUID().toString();
        String event = """
                {"uuid": "%s", "rule": "%s", "priority": "Critical", "output": "x", "source": "syscall",
                 "hostname": "node-1", "time": "2026-11-27T12:00:00Z",
                 "output_fields": {"k8s.ns.name": "shop", "k8s.pod.name": "web-1"}}
                """.formatted(uuid, rule);
        if (talon.post(event).statusCode() != 200) {
            throw new IllegalStateException("the event was not accepted");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ActionResult r : talon.results()) {
                if (uuid.equals(r.getTraceId())) {
                    return r;
                }
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("no result of rule " + rule + " within " + timeout);
    }

    public void make(Exchange exchange) {
        @SuppressWarnings("unchecked")
        Map<String, Object> p = exchange.getMessage().getHeader("TalonParameters", Map.class);
        long size = ((Number) p.getOrDefault("size", 1000)).longValue();
        long seed = ((Number) p.getOrDefault("seed", 1)).longValue();
        String name = String.valueOf(p.getOrDefault("name", "capture.pcap"));
        ArtifactSpool spool = exchange.getContext().getRegistry().lookupByNameAndType("talonArtifacts",
                ArtifactSpool.class);
        exchange.getMessage().setHeader(TalonHeaders.ARTIFACT, spool.spool(name, stream(size, seed)));
    }

    /** {@code size} pseudo-random bytes from {@code seed}, made as they are read (never all in memory). */
    public static InputStream stream(long size, long seed) {
        Random random = new Random(seed);
        return new InputStream() {
            private final byte[] block = new byte[4096];
            private int pos = block.length;
            private long left = size;

            @Override
            public int read() {
                byte[] b = new byte[1];
                return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
            }

            /** Bytes come from 4 KiB blocks of the generator: the same bytes whatever the reader's buffer size. */
            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                if (pos == block.length) {
                    random.nextBytes(block);
                    pos = 0;
                }
                int n = (int) Math.min(Math.min(len, left), block.length - pos);
                System.arraycopy(block, pos, b, off, n);
                pos += n;
                left -= n;
                return n;
            }
        };
    }

    public static byte[] bytes(int size, long seed) throws Exception {
        return stream(size, seed).readAllBytes();
    }

    public static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
