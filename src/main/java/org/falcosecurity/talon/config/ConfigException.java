package org.falcosecurity.talon.config;

import java.util.List;

/** A configuration that cannot be used; carries every problem found. */
public class ConfigException extends Exception {

    private final List<ConfigProblem> details;

    public ConfigException(List<ConfigProblem> problems) {
        super(String.join("; ", problems.stream().map(ConfigProblem::toString).toList()));
        this.details = List.copyOf(problems);
    }

    public static ConfigException of(String source, String message) {
        return new ConfigException(List.of(new ConfigProblem(source, "", message)));
    }

    /** Every problem, as {@code source: key: message}. */
    public List<String> problems() {
        return details.stream().map(ConfigProblem::toString).toList();
    }

    public List<ConfigProblem> details() {
        return details;
    }
}
