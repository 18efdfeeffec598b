package org.falcosecurity.talon.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Extra YAML routes for tests, written to a directory to use as {@code routes_directory}. */
public final class TestRoutes {

    /** {@code test:fail}: an actionner that always answers failure with error "boom". */
    public static final String FAILING_ACTIONNER = """
            - route:
                id: actionner-test-fail
                from:
                  uri: direct:actionner-test-fail
                  steps:
                    - setHeader: {name: TalonStatus, constant: failure}
                    - setHeader: {name: TalonError, constant: boom}
            """;

    /** Notifier {@code broken}: always fails, so its notifications are retried, then lost. */
    public static final String BROKEN_NOTIFIER = """
            - route:
                id: notifier-broken
                from:
                  uri: direct:notifier-broken
                  steps:
                    - throwException:
                        exceptionType: java.lang.IllegalStateException
                        message: the backend is down
            """;

    /** Output target {@code test:sink}: a route-defined output target that logs what it gets. */
    public static final String SINK_OUTPUT = """
            - route:
                id: output-test-sink
                from:
                  uri: direct:output-test-sink
                  steps:
                    - log: "${body}"
            """;

    private TestRoutes() {
    }

    /** A new directory holding {@code test-routes.camel.yaml} with the given YAML. */
    public static Path directory(String yaml) {
        try {
            Path dir = Files.createTempDirectory("talon-routes");
            Files.writeString(dir.resolve("test-routes.camel.yaml"), yaml);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
