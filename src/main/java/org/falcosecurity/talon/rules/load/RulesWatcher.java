package org.falcosecurity.talon.rules.load;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Calls back when the content of any rule file changes.
 *
 * <p>It watches the files' directories, not the files: a Kubernetes ConfigMap volume updates by swapping a
 * {@code ..data} symlink in the directory, which a watch on the file itself never sees. Every wake-up (a directory
 * event, or every {@code pollMillis} as a fallback for file systems without events) compares a digest of the files'
 * contents with the last one, so only real changes trigger a reload.
 */
public final class RulesWatcher implements AutoCloseable {

    private final List<Path> files;
    private final Consumer<String> onChange;
    private final long pollMillis;
    private final long settleMillis;
    private volatile boolean running;
    private WatchService watcher;
    private Thread thread;
    private String lastDigest;

    /**
     * @param files     the rule files
     * @param onChange  called (on the watcher's thread) with a short description of what changed
     */
    public RulesWatcher(List<Path> files, Consumer<String> onChange, long pollMillis, long settleMillis) {
        this.files = List.copyOf(files);
        this.onChange = onChange;
        this.pollMillis = pollMillis;
        this.settleMillis = settleMillis;
    }

    public synchronized void start() throws IOException {
        if (running) {
            return;
        }
        lastDigest = digest();
        watcher = FileSystems.getDefault().newWatchService();
        Set<Path> dirs = new LinkedHashSet<>();
        for (Path f : files) {
            Path dir = f.toAbsolutePath().getParent();
            if (dir != null && Files.isDirectory(dir)) {
                dirs.add(dir);
            }
        }
        for (Path d : dirs) {
            d.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        }
        running = true;
        thread = new Thread(this::loop, "talon-rules-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            try {
                boolean woken = false;
                var key = watcher.poll(pollMillis, TimeUnit.MILLISECONDS);
                if (key != null) {
                    // wait until the directory is quiet, so an editor or the kubelet has finished writing
                    while (key != null) {
                        key.pollEvents();
                        key.reset();
                        key = watcher.poll(settleMillis, TimeUnit.MILLISECONDS);
                        woken = true;
                    }
                }
                String d = digest();
                if (!d.equals(lastDigest)) {
                    lastDigest = d;
                    onChange.accept(woken ? "a rule file changed" : "a rule file changed (detected by polling)");
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (RuntimeException e) {
                // never let a reload problem stop the watcher; the callback reports its own errors
            }
        }
    }

    /** Digest of every file's content (a missing or unreadable file counts as a distinct state). */
    String digest() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path f : files) {
                md.update(f.toString().getBytes());
                try {
                    md.update((byte) 1);
                    md.update(Files.readAllBytes(f));
                } catch (IOException e) {
                    md.update((byte) 0);
                }
            }
            StringBuilder sb = new StringBuilder();
            for (byte b : md.digest()) {
                sb.append(String.format("%02x", b));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
