package org.falcosecurity.talon.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

@Command(name = "falco-talon",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = {
            "Falco Talon is a response engine for Falco events in Kubernetes: it matches each event against",
            "rules and runs their actions (terminate, label, network policy, exec, ...), then notifies."
        })
public class TalonCommand {

    /** The subcommands, in the order of the usage help. */
    static final List<Class<?>> SUBCOMMANDS = List.of(ServerCommand.class, CheckCommand.class, RulesCommand.class,
            SimulateCommand.class, AuditCommand.class, UndoCommand.class,
            ListCommands.ActionnersCommand.class, ListCommands.NotifiersCommand.class,
            ListCommands.OutputsCommand.class, CompletionCommand.class, VersionCommand.class,
            CommandLine.HelpCommand.class);

    @Option(names = {"-c", "--config"}, scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Config file (default: /etc/falco-talon/config.yaml, else ./config.yaml, else the packaged"
                    + " default)")
    Path config;

    @Option(names = {"-r", "--rules"}, scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Rule file; repeat to merge several, later files override earlier ones (default:"
                    + " rules_files from the config, else /etc/falco-talon/rules.yaml, else ./rules/rules.yaml,"
                    + " else the packaged example rules)")
    List<Path> rules = new ArrayList<>();

    /**
     * The command line that runs {@code args}. When they start with {@code server} it has that subcommand only:
     * picocli reads the annotations of every subcommand it is given (their options, and the types of their fields,
     * which loads classes), and for the other eleven that was a fifth of the server's start before Camel. Parsing
     * is the same: {@code server}'s options, the inherited {@code -c} / {@code -r}, its help and its errors.
     */
    public static CommandLine commandLine(String... args) {
        CommandLine cl = new CommandLine(new TalonCommand());
        boolean server = args.length > 0 && "server".equals(args[0]);
        for (Class<?> c : server ? List.<Class<?>>of(ServerCommand.class) : SUBCOMMANDS) {
            cl.addSubcommand(c);
        }
        return cl;
    }
}
