package org.falcosecurity.talon;

import org.falcosecurity.talon.cli.TalonCommand;
import picocli.CommandLine;

/** Falco Talon: {@code falco-talon server | check | rules print | simulate | version}. */
public final class TalonApplication {

    private TalonApplication() {
    }

    public static void main(String... args) {
        System.exit(new CommandLine(new TalonCommand()).execute(args));
    }
}
