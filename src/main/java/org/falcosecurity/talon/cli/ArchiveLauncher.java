package org.falcosecurity.talon.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;

/**
 * Starts {@code java -jar falco-talon.jar server} on the application's class data sharing archive, when the build
 * made one.
 *
 * <p>{@code ./mvnw package} runs the server once with {@code -XX:ArchiveClassesAtExit} (the training run, mode
 * {@code train}) and leaves {@code talon.jsa} next to the jar, with {@code talon.jsa.properties}: the JDK (its
 * {@code java.home} and {@code java.vm.version}) and the jar (size, modification time) it was made with. A JVM maps an
 * archive only from a flag on its own command line, which a jar cannot set; so the {@code server} a user starts with
 * {@code java -jar} starts a second JVM with the same JVM options plus {@code -XX:SharedArchiveFile}, the same jar (its
 * absolute path, as trained) and the same arguments, and waits for it: same standard streams, its exit code is this
 * one's. SIGTERM / SIGINT to this JVM are passed on as SIGTERM (the server stops gracefully and exits 0); if this JVM
 * dies without passing it on (SIGKILL), the server sees its parent gone and stops as on SIGTERM.
 *
 * <p>Nothing is relaunched (the server runs in this JVM, without the archive) when: the command is not
 * {@code server}; the JVM was not started with {@code -jar} on this jar (the image, tests, an IDE); its options
 * already choose an archive or {@code -Xshare}; there is no archive, or it was made by another JDK or for another
 * build of the jar; {@code -Dtalon.archive=off}; or the second JVM cannot be started. A JDK that still refuses the
 * archive (a {@code lib/} jar replaced) starts without it, silently: the server is the same, only slower to start.
 */
public final class ArchiveLauncher {

    /** The system property: unset (relaunch when possible), {@code off}, {@code child}, {@code train}. */
    public static final String MODE = "talon.archive";
    static final String ARCHIVE = "talon.jsa";
    static final String STAMP = "talon.jsa.properties";

    private ArchiveLauncher() {
    }

    /** What a JVM needs to decide: its arguments, its command line, its JDK, the jar it runs from. */
    record Launch(String[] args, String mode, List<String> commandLine, Path jar, String javaHome, String vmVersion) {
    }

    /**
     * Runs {@code server} in a JVM on the archive and returns its exit code, or nothing when this JVM should run the
     * command itself.
     */
    public static OptionalInt runOnArchive(String... args) {
        String mode = System.getProperty(MODE, "");
        if ("child".equals(mode)) {
            stopWhenParentIsGone();
            return OptionalInt.empty();
        }
        if (!relaunchable(args, mode)) {
            return OptionalInt.empty();
        }
        Optional<Path> jar = runningJar();
        Optional<String[]> cmdline = ProcessHandle.current().info().arguments();
        if (jar.isEmpty() || cmdline.isEmpty()) {
            return OptionalInt.empty();
        }
        Optional<List<String>> command = childCommand(new Launch(args, mode, Arrays.asList(cmdline.get()), jar.get(),
                System.getProperty("java.home"), System.getProperty("java.vm.version")));
        if (command.isEmpty()) {
            return OptionalInt.empty();
        }
        Process child;
        try {
            child = new ProcessBuilder(command.get()).inheritIO().start();
        } catch (IOException e) {
            return OptionalInt.empty();
        }
        for (String name : new String[] {"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> child.destroy());
        }
        while (true) {
            try {
                return OptionalInt.of(child.waitFor());
            } catch (InterruptedException e) {
                child.destroy();
            }
        }
    }

    /**
     * The second JVM's command line, or nothing when this JVM should run the command itself (see the class comment).
     *
     * @param launch {@code commandLine} is the JVM's own arguments after the {@code java} executable
     */
    static Optional<List<String>> childCommand(Launch launch) {
        if (!relaunchable(launch.args(), launch.mode())) {
            return Optional.empty();
        }
        List<String> line = launch.commandLine();
        int jarAt = line.indexOf("-jar");
        if (jarAt < 0 || jarAt + 1 >= line.size() || !sameFile(Path.of(line.get(jarAt + 1)), launch.jar())) {
            return Optional.empty();
        }
        List<String> jvmOptions = line.subList(0, jarAt);
        if (jvmOptions.stream().anyMatch(o -> o.startsWith("-XX:SharedArchiveFile") || o.startsWith("-Xshare")
                || o.startsWith("-XX:ArchiveClassesAtExit") || o.startsWith("-XX:AOT") || o.startsWith("-D" + MODE + "="))) {
            return Optional.empty();
        }
        List<String> userArgs = line.subList(jarAt + 2, line.size());
        if (!userArgs.equals(Arrays.asList(launch.args()))) {
            return Optional.empty();
        }
        Path dir = launch.jar().toAbsolutePath().getParent();
        if (!matches(dir.resolve(STAMP), launch.jar(), launch.javaHome(), launch.vmVersion())
                || !isNonEmptyFile(dir.resolve(ARCHIVE))) {
            return Optional.empty();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(launch.javaHome(), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-XX:SharedArchiveFile=" + dir.resolve(ARCHIVE));
        // a JDK that refuses the archive says why on every start; the start is the same without it
        cmd.add("-Xlog:cds=off,cds+dynamic=off");
        cmd.add("-D" + MODE + "=child");
        cmd.add("-jar");
        cmd.add(launch.jar().toAbsolutePath().toString());
        cmd.addAll(userArgs);
        return Optional.of(cmd);
    }

    /** Only {@code server}, and only from a JVM no mode was given to (not off, child or train). */
    private static boolean relaunchable(String[] args, String mode) {
        return args.length > 0 && "server".equals(args[0]) && mode.isEmpty();
    }

    /** Whether {@code stamp} names this JDK and this jar as it is now. */
    static boolean matches(Path stamp, Path jar, String javaHome, String vmVersion) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(stamp)) {
            p.load(in);
            return javaHome.equals(p.getProperty("java.home")) && vmVersion.equals(p.getProperty("java.vm.version"))
                    && String.valueOf(Files.size(jar)).equals(p.getProperty("jar.size"))
                    && String.valueOf(Files.getLastModifiedTime(jar).toMillis()).equals(p.getProperty("jar.modified"));
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * The training run's record of what its archive was made with, next to the jar (written before the JVM writes the
     * archive as it exits: without the archive the stamp alone relaunches nothing).
     */
    static void writeStamp(Path jar, String javaHome, String vmVersion) throws IOException {
        Path dir = jar.toAbsolutePath().getParent();
        Properties p = new Properties();
        p.setProperty("java.home", javaHome);
        p.setProperty("java.vm.version", vmVersion);
        p.setProperty("jar.size", String.valueOf(Files.size(jar)));
        p.setProperty("jar.modified", String.valueOf(Files.getLastModifiedTime(jar).toMillis()));
        Path tmp = Files.createTempFile(dir, STAMP, ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "the JDK and jar " + ARCHIVE + " was made with (ArchiveLauncher)");
        }
        Files.move(tmp, dir.resolve(STAMP), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * In the training run: the stamp for the jar this JVM runs from, and no archive of an earlier build (the JVM
     * writes the new one as it exits; if it cannot, no old archive is left beside the new stamp); false when this JVM
     * does not run from a jar.
     */
    public static boolean stampTraining() throws IOException {
        Optional<Path> jar = runningJar();
        if (jar.isEmpty()) {
            return false;
        }
        Files.deleteIfExists(jar.get().toAbsolutePath().resolveSibling(ARCHIVE));
        writeStamp(jar.get(), System.getProperty("java.home"), System.getProperty("java.vm.version"));
        return true;
    }

    /** Whether this JVM is the build's training run. */
    public static boolean training() {
        return "train".equals(System.getProperty(MODE));
    }

    /** The server relaunched on the archive stops as on SIGTERM once the JVM that started it is gone. */
    private static void stopWhenParentIsGone() {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit()
                .thenRun(() -> sun.misc.Signal.raise(new sun.misc.Signal("TERM"))));
    }

    private static Optional<Path> runningJar() {
        try {
            var source = ArchiveLauncher.class.getProtectionDomain().getCodeSource();
            if (source == null) {
                return Optional.empty();
            }
            Path p = Path.of(source.getLocation().toURI());
            return Files.isRegularFile(p) && p.toString().endsWith(".jar") ? Optional.of(p) : Optional.empty();
        } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
            return Optional.empty();
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isNonEmptyFile(Path p) {
        try {
            return Files.isRegularFile(p) && Files.size(p) > 0;
        } catch (IOException e) {
            return false;
        }
    }
}
