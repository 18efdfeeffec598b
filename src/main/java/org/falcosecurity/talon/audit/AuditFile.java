package org.falcosecurity.talon.audit;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The audit trail's JSON Lines file, rotated by size: when a line would take the file over {@code maxBytes}, the
 * file becomes {@code <file>.1} (the older ones move up to {@code <file>.<maxFiles>}, the oldest beyond it is
 * deleted) and a new file starts. With {@code maxFiles} 0 the full file is simply started anew. Only the writer
 * thread of {@link AuditTrail} calls it.
 */
final class AuditFile implements AutoCloseable {

    private final Path file;
    private final long maxBytes;
    private final int maxFiles;
    private BufferedWriter out;
    private long size;

    AuditFile(Path file, long maxBytes, int maxFiles) throws IOException {
        this.file = file;
        this.maxBytes = maxBytes;
        this.maxFiles = maxFiles;
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        open();
    }

    private void open() throws IOException {
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        size = Files.size(file);
    }

    /** Appends one line (no line break inside: JSON text never has one). */
    void write(String line) throws IOException {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        if (size > 0 && size + bytes.length > maxBytes) {
            rotate();
        }
        out.write(line);
        out.write('\n');
        size += bytes.length;
    }

    void flush() throws IOException {
        out.flush();
    }

    private void rotate() throws IOException {
        out.close();
        if (maxFiles == 0) {
            Files.delete(file);
        } else {
            Files.deleteIfExists(rotated(file, maxFiles));
            for (int i = maxFiles - 1; i >= 1; i--) {
                Path from = rotated(file, i);
                if (Files.exists(from)) {
                    Files.move(from, rotated(file, i + 1), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(file, rotated(file, 1), StandardCopyOption.REPLACE_EXISTING);
        }
        open();
    }

    /** {@code <file>.<n>}: the n-th newest rotated file. */
    static Path rotated(Path file, int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
