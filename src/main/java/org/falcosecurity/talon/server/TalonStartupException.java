package org.falcosecurity.talon.server;

import java.util.List;

/** Talon cannot start: invalid rules or settings. Carries every problem, for the CLI to print. */
public class TalonStartupException extends RuntimeException {

    private final String summary;
    private final List<String> problems;

    public TalonStartupException(String summary, List<String> problems) {
        super(summary + ": " + String.join("; ", problems));
        this.summary = summary;
        this.problems = List.copyOf(problems);
    }

    public String summary() {
        return summary;
    }

    public List<String> problems() {
        return problems;
    }
}
