package org.falcosecurity.talon.artifacts;

import org.apache.camel.Exchange;
import org.falcosecurity.talon.contract.ActionStop;
import org.falcosecurity.talon.contract.Artifact;
import org.falcosecurity.talon.contract.TalonHeaders;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Where artifacts wait between the actionner that collects them and the output target that stores them: one file
 * per artifact (mode 0600) in a directory of Talon's (mode 0700), written as the bytes arrive, with the size and
 * SHA-256 computed on the way. Nothing is held in memory. Past {@code max_artifact_bytes} a {@link Writer} drops the
 * rest and tells its source to stop; {@link Writer#finish} then fails the action and deletes the file.
 *
 * <p>Spool files are deleted after the upload (or its final failure); files an earlier Talon left behind (killed
 * mid-capture) are deleted when the spool starts, once older than an hour.
 */
public final class ArtifactSpool {

    private static final String PREFIX = "artifact-";
    private static final String SUFFIX = ".spool";
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private final Path directory;
    private final long maxBytes;

    public ArtifactSpool(Path directory, long maxBytes) {
        this.directory = directory;
        this.maxBytes = maxBytes;
    }

    /** Creates the directory (0700) and removes spool files older than an hour. */
    public ArtifactSpool start() {
        try {
            if (!Files.isDirectory(directory)) {
                Files.createDirectories(directory, attrs("rwx------"));
            }
            Instant old = Instant.now().minus(Duration.ofHours(1));
            try (var files = Files.newDirectoryStream(directory, PREFIX + "*" + SUFFIX)) {
                for (Path f : files) {
                    FileTime t = Files.getLastModifiedTime(f);
                    if (t.toInstant().isBefore(old)) {
                        Files.deleteIfExists(f);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the artifact spool directory " + directory, e);
        }
        return this;
    }

    public Path directory() {
        return directory;
    }

    /** {@code max_artifact_bytes}. */
    public long maxBytes() {
        return maxBytes;
    }

    /** A new spool file for an artifact called {@code name}. */
    public Writer open(String name) {
        try {
            Path f = Files.createTempFile(directory, PREFIX, SUFFIX, attrs("rw-------"));
            return new Writer(name, f, maxBytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a spool file in " + directory, e);
        }
    }

    /** Spools a whole stream (closing it). */
    public Artifact spool(String name, InputStream in) {
        Writer w = open(name);
        try (in) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while (!w.overLimit() && (n = in.read(buf)) >= 0) {
                w.write(buf, 0, n);
            }
        } catch (IOException e) {
            w.abort();
            throw new UncheckedIOException("reading artifact '" + name + "' failed", e);
        }
        return w.finish();
    }

    /**
     * For actionner routes in YAML: spools the message body (text, bytes or a stream) as an artifact named by the
     * header {@code TalonArtifactName} (default {@code artifact}) and puts it in the header {@code TalonArtifact}.
     */
    public void fromBody(Exchange exchange) {
        String name = exchange.getMessage().getHeader(TalonHeaders.ARTIFACT_NAME, "artifact", String.class);
        InputStream in = exchange.getMessage().getBody(InputStream.class);
        if (in == null) {
            in = InputStream.nullInputStream();
        }
        exchange.getMessage().setHeader(TalonHeaders.ARTIFACT, spool(name, in));
    }

    private static FileAttribute<?>[] attrs(String perms) {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions
                .fromString(perms))} : new FileAttribute<?>[0];
    }

    /**
     * Writes one artifact's spool file. Thread-safe (exec output arrives on the client's threads). Past the limit it
     * keeps counting nothing more, drops what it is given and runs the {@link #onLimit} action once (to stop the
     * source early).
     */
    public static final class Writer extends OutputStream {
        private final String name;
        private final Path file;
        private final long max;
        private final OutputStream out;
        private final MessageDigest digest;
        private long written;
        private boolean overLimit;
        private boolean closed;
        private Runnable onLimit = () -> { };

        private Writer(String name, Path file, long max) throws IOException {
            this.name = name;
            this.file = file;
            this.max = max;
            this.out = Files.newOutputStream(file);
            try {
                this.digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        /** What to do once, when the artifact goes past the limit (close the exec stream, ...). */
        public synchronized Writer onLimit(Runnable action) {
            this.onLimit = action;
            return this;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Runnable stop = null;
            synchronized (this) {
                if (closed || overLimit) {
                    return;
                }
                if (written + len > max) {
                    overLimit = true;
                    stop = onLimit;
                } else {
                    out.write(b, off, len);
                    digest.update(b, off, len);
                    written += len;
                }
            }
            if (stop != null) {
                stop.run();
            }
        }

        public synchronized boolean overLimit() {
            return overLimit;
        }

        public synchronized long written() {
            return written;
        }

        public String name() {
            return name;
        }

        /**
         * Closes the file and returns the artifact; over the limit, deletes it and throws an {@link ActionStop}
         * failure that says so.
         */
        public Artifact finish() {
            synchronized (this) {
                closeQuietly();
                if (!overLimit) {
                    return new Artifact(name, file, written, HexFormat.of().formatHex(digest.digest()));
                }
            }
            abort();
            throw ActionStop.failure("the artifact '" + name + "' is larger than max_artifact_bytes (" + max
                    + " bytes): Talon stopped reading it there and stored nothing");
        }

        /** Closes and deletes the file (a failed or abandoned capture). */
        public void abort() {
            synchronized (this) {
                closeQuietly();
            }
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // left to the spool's clean-up at the next start
            }
        }

        @Override
        public synchronized void close() {
            closeQuietly();
        }

        private void closeQuietly() {
            if (!closed) {
                closed = true;
                try {
                    out.close();
                } catch (IOException ignored) {
                    // the size and digest say what was written
                }
            }
        }
    }
}
