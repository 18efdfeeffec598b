package org.falcosecurity.talon.cli;

import org.falcosecurity.talon.catalog.Catalog;
import org.falcosecurity.talon.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * {@code actionners list}, {@code notifiers list}, {@code outputs list}: upstream Falco Talon's verbs. Each lists what
 * the catalog holds (the built-ins, with their declarations, and the routes of {@code routes_directory}).
 */
final class ListCommands {

    private ListCommands() {
    }

    /** The catalog of the config's routes, or {@code null} after printing the config's errors. */
    static Catalog catalog(TalonCommand root) throws IOException {
        Logging.forCli();
        try {
            return CliContext.of(root).catalog;
        } catch (ConfigException e) {
            e.problems().forEach(p -> System.err.println("error: " + p));
            return null;
        }
    }

    @Command(name = "actionners", mixinStandardHelpOptions = true, description = "Work with the actionners.",
            subcommands = ActionnersCommand.List.class)
    static class ActionnersCommand {
        @ParentCommand
        TalonCommand parent;

        @Command(name = "list", mixinStandardHelpOptions = true,
                description = "List the available actionners: parameters, required fields, permissions, example.")
        static class List implements Callable<Integer> {
            @ParentCommand
            ActionnersCommand group;

            @Override
            public Integer call() throws Exception {
                Catalog c = catalog(group.parent);
                if (c == null) {
                    return 1;
                }
                c.actionnerNames().forEach(n -> System.out.print(Listings.actionner(c.actionner(n).orElseThrow())));
                return 0;
            }
        }
    }

    @Command(name = "notifiers", mixinStandardHelpOptions = true, description = "Work with the notifiers.",
            subcommands = NotifiersCommand.List.class)
    static class NotifiersCommand {
        @ParentCommand
        TalonCommand parent;

        @Command(name = "list", mixinStandardHelpOptions = true,
                description = "List the available notifiers: settings (required, defaults, secrets), example.")
        static class List implements Callable<Integer> {
            @ParentCommand
            NotifiersCommand group;

            @Override
            public Integer call() throws Exception {
                Catalog c = catalog(group.parent);
                if (c == null) {
                    return 1;
                }
                for (String n : c.notifierNames()) {
                    System.out.print(c.notifier(n).map(Listings::notifier).orElseGet(() -> Listings.notifierRoute(n)));
                }
                return 0;
            }
        }
    }

    @Command(name = "outputs", mixinStandardHelpOptions = true, description = "Work with the output targets.",
            subcommands = OutputsCommand.List.class)
    static class OutputsCommand {
        @ParentCommand
        TalonCommand parent;

        @Command(name = "list", mixinStandardHelpOptions = true,
                description = "List the available output targets (where actionners store their artifacts).")
        static class List implements Callable<Integer> {
            @ParentCommand
            OutputsCommand group;

            @Override
            public Integer call() throws Exception {
                Catalog c = catalog(group.parent);
                if (c == null) {
                    return 1;
                }
                if (c.outputNames().isEmpty()) {
                    System.err.println("no output targets: none is built in yet, and no route in routes_directory"
                            + " consumes direct:output-<category>-<name>");
                }
                c.outputNames().forEach(n -> System.out.print(Listings.output(c.output(n).orElseThrow())));
                return 0;
            }
        }
    }
}
