package org.falcosecurity.talon.it;

import org.falcosecurity.talon.support.Events;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM on the packaged jar: Talon stops accepting, finishes the actions and notifications it holds, then exits 0.
 */
class GracefulShutdownIT {

    @Test
    void sigtermFinishesInFlightWorkThenExits(@TempDir Path dir) throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        // a slow actionner: 300 ms per action
        Files.writeString(routes.resolve("slow.camel.yaml"), """
                - route:
                    id: actionner-test-slow
                    from:
                      uri: direct:actionner-test-slow
                      steps:
                        - delay:
                            asyncDelayed: false
                            constant: 300
                        - setHeader:
                            name: TalonOutput
                            simple: "done ${header.TalonPod}"
                """);
        Path rules = Files.writeString(dir.resolve("rules.yaml"),
                "- rule: slow\n  actions: [{action: slow, actionner: test:slow}]\n");
        Path out = dir.resolve("out");
        Path config = Files.writeString(dir.resolve("config.yaml"), """
                default_notifiers: [file]
                workers: 1
                routes_directory: routes
                notifiers:
                  file:
                    directory: %s
                    filename: results.jsonl
                """.formatted(out));
        try (PackagedServer talon = PackagedServer.start(dir, Map.of(), "server", "-c", config.toString(), "-r",
                rules.toString())) {
            int accepted = 0;
            for (int i = 0; i < 10; i++) {
                var r = talon.post(Events.event("shutdown", "Warning",
                        "{\"k8s.pod.name\":\"p" + i + "\",\"k8s.ns.name\":\"ns\"}").replace("test output", "pod p" + i));
                if (r.statusCode() == 200) {
                    accepted++;
                }
            }
            assertThat(accepted).isEqualTo(10);
            // 10 actions x 300 ms on one worker: most are still queued when SIGTERM arrives
            talon.process.destroy();
            assertThat(talon.process.waitFor(60, TimeUnit.SECONDS)).as(talon.log()).isTrue();
            assertThat(talon.process.exitValue()).as(talon.log()).isZero();

            List<String> results = Files.readAllLines(out.resolve("results.jsonl"));
            assertThat(results).as(talon.log()).hasSize(10).allSatisfy(l -> assertThat(l).contains("\"status\":\"success\""));
            // and it no longer accepts
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> talon.post(Events.event("late", "Warning", "{}")))
                    .isInstanceOf(ConnectException.class);
        }
    }
}
