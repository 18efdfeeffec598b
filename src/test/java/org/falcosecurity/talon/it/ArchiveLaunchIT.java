package org.falcosecurity.talon.it;

import org.falcosecurity.talon.support.Events;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code java -jar target/falco-talon.jar server} on the class data sharing archive {@code ./mvnw package} trained:
 * the server runs in a second JVM that maps {@code target/talon.jsa}, answers as usual, and stops once the JVM that
 * started it is killed (SIGTERM through it is GracefulShutdownIT, which runs the same way).
 */
class ArchiveLaunchIT {

    @Test
    void theServerRunsOnTheTrainedArchiveAndStopsWhenItsLauncherIsKilled(@TempDir Path dir) throws Exception {
        Path archive = PackagedServer.JAR.toAbsolutePath().resolveSibling("talon.jsa");
        assertThat(archive).as("the package phase's training run (target/talon-cds-training.log)").isNotEmptyFile();
        Path rules = Files.writeString(dir.resolve("rules.yaml"), "- rule: r\n  actions: [{action: log, actionner: custom:log}]\n");
        Path config = Files.writeString(dir.resolve("config.yaml"), "default_notifiers: []\n");
        try (PackagedServer talon = PackagedServer.start(dir, Map.of(), "server", "-c", config.toString(), "-r",
                rules.toString())) {
            List<ProcessHandle> children = talon.process.children().toList();
            assertThat(children).as(talon.log()).hasSize(1);
            ProcessHandle server = children.get(0);
            assertThat(server.info().arguments().map(List::of).orElseThrow())
                    .contains("-XX:SharedArchiveFile=" + archive, "-Xmx256m", "-Dtalon.archive=child");
            // the JDK accepted the archive: it is mapped into the server's memory
            assertThat(Files.readString(Path.of("/proc", String.valueOf(server.pid()), "maps")))
                    .contains(archive.toString());
            assertThat(talon.post(Events.event("r", "Warning", "{}")).statusCode()).isEqualTo(200);

            talon.process.destroyForcibly();
            await().atMost(Duration.ofSeconds(30)).until(() -> !server.isAlive());
        }
    }
}
