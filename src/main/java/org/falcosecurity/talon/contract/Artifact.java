package org.falcosecurity.talon.contract;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An artifact an actionner collected (a file copied out of a pod, a packet or syscall capture, logs), spooled to a
 * local file: never held in memory. An actionner route hands it to Talon in the header {@code TalonArtifact}; Talon
 * sends it to the action's output target, then deletes the spool file.
 *
 * @param name   what it is, as upstream names it (the file's path, {@code tcpdump.pcap}, {@code log}, ...)
 * @param file   the spool file (mode 0600)
 * @param size   its size in bytes
 * @param sha256 the SHA-256 of its bytes, lower-case hex
 */
public record Artifact(String name, Path file, long size, String sha256) {

    /** Deletes the spool file; safe to call more than once. */
    public void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a spool file that cannot be deleted is left to the spool directory's owner; nothing else to do
        }
    }

    /** What the result record says about it once stored ({@code location} empty when storing failed). */
    public ArtifactInfo info(String target, String location) {
        return new ArtifactInfo(name, size, sha256, target, location);
    }
}
