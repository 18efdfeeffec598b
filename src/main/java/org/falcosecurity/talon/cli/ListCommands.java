package org.falcosecurity.talon.cli;

import org.falcosecurity.talon.catalog.Catalog;
import org.falcosecurity.talon.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code actionners list}, {@code notifiers list}, {@code outputs list}: upstream Falco Talon's verbs. Each lists what
 * the catalog holds (the built-ins, with their declarations, and the routes of {@code routes_directory}).
 */
final class ListCommands {

    private ListCommands() {
    }

    /** A {@code list} subcommand: reads the catalog of the config's routes, then prints its items. */
    abstract static class Lister implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        abstract void print(Catalog catalog);

        @Override
        public Integer call() throws Exception {
            Logging.forCli();
            Catalog c;
            try {
                c = CliContext.of((TalonCommand) spec.root().userObject()).catalog;
            } catch (ConfigException e) {
                e.problems().forEach(p -> System.err.println("error: " + p));
                return 1;
            }
            print(c);
            return 0;
        }
    }

    @Command(name = "actionners", mixinStandardHelpOptions = true, description = "Work with the actionners.",
            subcommands = ActionnersCommand.List.class)
    static class ActionnersCommand {
        @Command(name = "list", mixinStandardHelpOptions = true,
                description = "List the available actionners: parameters, required fields, permissions, example.")
        static class List extends Lister {
            @Override
            void print(Catalog c) {
                c.actionnerNames().forEach(n -> System.out.print(Listings.actionner(c.actionner(n).orElseThrow())));
            }
        }
    }

    @Command(name = "notifiers", mixinStandardHelpOptions = true, description = "Work with the notifiers.",
            subcommands = NotifiersCommand.List.class)
    static class NotifiersCommand {
        @Command(name = "list", mixinStandardHelpOptions = true,
                description = "List the available notifiers: settings (required, defaults, secrets), example.")
        static class List extends Lister {
            @Override
            void print(Catalog c) {
                for (String n : c.notifierNames()) {
                    System.out.print(c.notifier(n).map(Listings::notifier).orElseGet(() -> Listings.notifierRoute(n)));
                }
            }
        }
    }

    @Command(name = "outputs", mixinStandardHelpOptions = true, description = "Work with the output targets.",
            subcommands = OutputsCommand.List.class)
    static class OutputsCommand {
        @Command(name = "list", mixinStandardHelpOptions = true,
                description = "List the available output targets (where actionners store their artifacts).")
        static class List extends Lister {
            @Override
            void print(Catalog c) {
                if (c.outputNames().isEmpty()) {
                    System.err.println("no output targets: none is built in yet, and no route in routes_directory"
                            + " consumes direct:output-<category>-<name>");
                }
                c.outputNames().forEach(n -> System.out.print(Listings.output(c.output(n).orElseThrow())));
            }
        }
    }
}
