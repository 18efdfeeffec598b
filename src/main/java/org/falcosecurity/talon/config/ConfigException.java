package org.falcosecurity.talon.config;

import java.util.List;

/** A configuration that cannot be used; carries every problem found. */
public class ConfigException extends Exception {

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
