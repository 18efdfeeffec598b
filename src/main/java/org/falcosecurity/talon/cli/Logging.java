package org.falcosecurity.talon.cli;

/**
 * Picks the log4j2 configuration before the first logger exists: {@code log4j2-<log_format>.xml} for the server,
 * {@code log4j2-cli.xml} (warnings on stderr) for the other commands, whose output is on stdout.
 */
final class Logging {

    private static final String KEY = "log4j2.configurationFile";

    private Logging() {
    }

    static void forServer(String logFormat) {
        if (System.getProperty(KEY) == null) {
            System.setProperty(KEY, "log4j2-" + logFormat + ".xml");
        }
    }

    /** Writes out what the asynchronous log still holds (the server's configurations queue their lines). */
    static void stop() {
        org.apache.logging.log4j.LogManager.shutdown();
    }

    static void forCli() {
        if (System.getProperty(KEY) == null) {
            System.setProperty(KEY, "log4j2-cli.xml");
        }
    }
}
