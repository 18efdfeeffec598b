package org.falcosecurity.talon.support;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.time.Duration;

/**
 * How often every {@code await()} of the suite checks its condition: first at once, then every 20 ms, instead of
 * Awaitility's 100 ms delay and interval. A condition met in 5 ms is seen in 5 ms rather than 100; the time limits
 * ({@code atMost}) are unchanged, and an await that polls something costly sets its own interval. Registered for
 * every test class by JUnit's extension auto-detection ({@code junit-platform.properties},
 * {@code META-INF/services/org.junit.jupiter.api.extension.Extension}).
 */
public final class AwaitDefaults implements BeforeAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        Awaitility.setDefaultPollDelay(Duration.ZERO);
        Awaitility.setDefaultPollInterval(Duration.ofMillis(20));
    }
}
