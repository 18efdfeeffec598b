package org.falcosecurity.talon.artifacts;

import org.falcosecurity.talon.contract.ActionStop;
import org.falcosecurity.talon.contract.Artifact;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The artifact spool (size, SHA-256, mode, the max_artifact_bytes bound) and upstream's object keys. */
class ArtifactSpoolTest {

    @Test
    void spoolsToAPrivateFileWithItsSizeAndSha256(@TempDir Path dir) throws Exception {
        ArtifactSpool spool = new ArtifactSpool(dir.resolve("spool"), 1000).start();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(spool.directory())))
                .isEqualTo("rwx------");
        byte[] bytes = new byte[1000];
        new java.util.Random(1).nextBytes(bytes);
        Artifact a = spool.spool("/etc/passwd", new ByteArrayInputStream(bytes));
        assertThat(a.size()).isEqualTo(1000);
        assertThat(a.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(bytes)));
        assertThat(Files.readAllBytes(a.file())).isEqualTo(bytes);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(a.file()))).isEqualTo("rw-------");
        a.delete();
        assertThat(a.file()).doesNotExist();
    }

    @Test
    void pastTheLimitItStopsReadingStoresNothingAndSaysSo(@TempDir Path dir) throws Exception {
        ArtifactSpool spool = new ArtifactSpool(dir, 100).start();
        AtomicInteger read = new AtomicInteger();
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                read.incrementAndGet();
                return 'x';
            }
        };
        assertThatThrownBy(() -> spool.spool("tcpdump.pcap", endless)).isInstanceOf(ActionStop.class)
                .hasMessage("the artifact 'tcpdump.pcap' is larger than max_artifact_bytes (100 bytes): Talon stopped"
                        + " reading it there and stored nothing");
        assertThat(read.get()).isLessThan(100_000);
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    void keysAreUpstreamsWithUnsafeCharactersReplaced() {
        Instant t = Instant.parse("2026-12-02T00:41:05.123Z");
        assertThat(ObjectKeys.key(t, Map.of("namespace", "shop", "pod", "web-1"), "/tmp/a b/../x.sh"))
                .isEqualTo("2026-12-02T00-41-05Z_shop_web-1__tmp_a_b_.._x.sh");
        assertThat(ObjectKeys.withPrefix("/files/", "k")).isEqualTo("files/k");
        assertThat(ObjectKeys.withPrefix("", "k")).isEqualTo("k");
    }
}
