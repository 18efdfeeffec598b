package org.falcosecurity.talon.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** When {@code java -jar … server} starts a second JVM on the build's archive, and with which command line. */
class ArchiveLauncherTest {

    private static final String HOME = "/opt/jdk";
    private static final String VM = "17.0.15+6";

    @TempDir
    Path dir;
    Path jar;

    @BeforeEach
    void build() throws Exception {
        jar = Files.write(dir.resolve("falco-talon.jar"), new byte[] {1, 2, 3});
        Files.write(dir.resolve(ArchiveLauncher.ARCHIVE), new byte[] {4});
        ArchiveLauncher.writeStamp(jar, HOME, VM);
    }

    private Optional<List<String>> decide(String mode, List<String> commandLine, String... args) {
        return ArchiveLauncher.childCommand(new ArchiveLauncher.Launch(args, mode, commandLine, jar, HOME, VM));
    }

    @Test
    void aServerStartedWithJarRunsAgainOnTheArchiveWithTheSameOptionsAndArguments() {
        Optional<List<String>> cmd = decide("", List.of("-Xmx256m", "-Dx=a b", "-jar", jar.toString(), "server", "-c",
                "my config.yaml"), "server", "-c", "my config.yaml");
        assertThat(cmd).contains(List.of(Path.of(HOME, "bin", "java").toString(), "-Xmx256m", "-Dx=a b",
                "-XX:SharedArchiveFile=" + dir.toAbsolutePath().resolve("talon.jsa"), "-Xlog:cds=off,cds+dynamic=off",
                "-Dtalon.archive=child", "-jar", jar.toAbsolutePath().toString(), "server", "-c", "my config.yaml"));
    }

    @Test
    void otherCommandsAndModesRunInThisJvm() {
        List<String> line = List.of("-jar", jar.toString(), "check");
        assertThat(decide("", line, "check")).isEmpty();
        List<String> server = List.of("-jar", jar.toString(), "server");
        assertThat(decide("", server, "server")).isPresent();
        assertThat(decide("off", server, "server")).isEmpty();
        assertThat(decide("child", server, "server")).isEmpty();
        assertThat(decide("train", server, "server")).isEmpty();
        assertThat(decide("", server)).isEmpty();
    }

    @Test
    void notStartedWithThisJarOrWithAnArchiveChosenRunsInThisJvm() throws Exception {
        // the image and tests: a main class on a class path
        assertThat(decide("", List.of("-cp", jar.toString(), "org.falcosecurity.talon.TalonApplication", "server"),
                "server")).isEmpty();
        Path other = Files.write(dir.resolve("other.jar"), new byte[] {1});
        assertThat(decide("", List.of("-jar", other.toString(), "server"), "server")).isEmpty();
        for (String option : List.of("-XX:SharedArchiveFile=/app/talon.jsa", "-Xshare:off",
                "-XX:ArchiveClassesAtExit=x.jsa", "-XX:AOTCache=x.aot", "-Dtalon.archive=off")) {
            assertThat(decide("", List.of(option, "-jar", jar.toString(), "server"), "server")).as(option).isEmpty();
        }
        // the JVM's arguments are not the command's (a wrapper rewrote them)
        assertThat(decide("", List.of("-jar", jar.toString(), "server", "-r", "x"), "server")).isEmpty();
    }

    @Test
    void anArchiveOfAnotherJdkOrAnotherJarIsNotUsed() throws Exception {
        List<String> line = List.of("-jar", jar.toString(), "server");
        assertThat(ArchiveLauncher.childCommand(new ArchiveLauncher.Launch(new String[] {"server"}, "", line, jar,
                "/opt/other-jdk", VM))).isEmpty();
        assertThat(ArchiveLauncher.childCommand(new ArchiveLauncher.Launch(new String[] {"server"}, "", line, jar,
                HOME, "17.0.16+8"))).isEmpty();
        // the jar rebuilt after the training run
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 1000));
        assertThat(decide("", line, "server")).isEmpty();
        ArchiveLauncher.writeStamp(jar, HOME, VM);
        assertThat(decide("", line, "server")).isPresent();
        Files.write(jar, new byte[] {1, 2, 3, 4});
        assertThat(decide("", line, "server")).isEmpty();
    }

    @Test
    void noArchiveOrAnEmptyOneOrNoStampRunsInThisJvm() throws Exception {
        List<String> line = List.of("-jar", jar.toString(), "server");
        Files.write(dir.resolve(ArchiveLauncher.ARCHIVE), new byte[0]);
        assertThat(decide("", line, "server")).isEmpty();
        Files.delete(dir.resolve(ArchiveLauncher.ARCHIVE));
        assertThat(decide("", line, "server")).isEmpty();
        Files.write(dir.resolve(ArchiveLauncher.ARCHIVE), new byte[] {4});
        assertThat(decide("", line, "server")).isPresent();
        Files.writeString(dir.resolve(ArchiveLauncher.STAMP), "java.home=" + HOME + "\n");
        assertThat(decide("", line, "server")).isEmpty();
        Files.delete(dir.resolve(ArchiveLauncher.STAMP));
        assertThat(decide("", line, "server")).isEmpty();
    }
}
