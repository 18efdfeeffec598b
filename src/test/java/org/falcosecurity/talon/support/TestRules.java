package org.falcosecurity.talon.support;

/** Rule files several tests load. */
public final class TestRules {

    /**
     * The rule {@code Shell}: on Falco's "Terminal shell in container", the action {@code Log it} runs
     * {@code custom:log} with the message {@code shell} (its result's output is {@code logged: shell}).
     */
    public static final String LOG_SHELL = """
            - rule: Shell
              match:
                rules: [Terminal shell in container]
              actions:
                - action: Log it
                  actionner: custom:log
                  parameters:
                    message: shell
            """;

    private TestRules() {
    }
}
