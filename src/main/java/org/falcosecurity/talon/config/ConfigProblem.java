package org.falcosecurity.talon.config;

/**
 * One problem with the configuration.
 *
 * @param source  where the value came from: the file, or {@code environment variable NAME}
 * @param key     the dotted setting ({@code kafka.brokers}), or empty for the file as a whole
 * @param message what is wrong
 */
public record ConfigProblem(String source, String key, String message) {

    @Override
    public String toString() {
        return source + ": " + (key == null || key.isEmpty() ? "" : key + ": ") + message;
    }
}
