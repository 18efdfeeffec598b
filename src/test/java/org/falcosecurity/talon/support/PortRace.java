package org.falcosecurity.talon.support;

import java.util.concurrent.Callable;

/**
 * Starts a server of the tests on a port {@link TalonTestServer#freePort()} found free. The port can be taken before
 * the server binds it (by another test JVM running beside this one, or as the local port of an outgoing
 * connection); then the server is started again, on the new free port its start picks, at most three times.
 */
final class PortRace {

    private static final int ATTEMPTS = 3;

    private PortRace() {
    }

    /** {@code start}'s result; its failure when it did not fail to bind, or failed to bind three times. */
    static <T> T retry(Callable<T> start) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return start.call();
            } catch (IllegalStateException e) {
                if (attempt == ATTEMPTS || e.getMessage() == null
                        || !e.getMessage().contains("Address already in use")) {
                    throw e;
                }
            }
        }
    }
}
