package org.falcosecurity.talon.cli;

/** Lets tests in other packages run the CLI in-process. */
public final class CliAccess {

    public record Result(int exit, String out, String err) {
    }

    private CliAccess() {
    }

    public static Result run(String... args) {
        CliRunner.Result r = CliRunner.run(args);
        return new Result(r.exit(), r.out(), r.err());
    }
}
