package org.falcosecurity.talon;

import org.falcosecurity.talon.cli.ArchiveLauncher;
import org.falcosecurity.talon.cli.TalonCommand;

/** Falco Talon: {@code falco-talon server | check | rules print | simulate | version}. */
public final class TalonApplication {

    private TalonApplication() {
    }

    public static void main(String... args) {
        // `java -jar falco-talon.jar server`: on the build's class data sharing archive when there is one
        var onArchive = ArchiveLauncher.runOnArchive(args);
        if (onArchive.isPresent()) {
            System.exit(onArchive.getAsInt());
        }
        System.exit(TalonCommand.commandLine(args).execute(args));
    }
}
