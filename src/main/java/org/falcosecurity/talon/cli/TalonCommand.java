package org.falcosecurity.talon.cli;

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
        },
        subcommands = {ServerCommand.class, CheckCommand.class, RulesCommand.class, SimulateCommand.class,
            AuditCommand.class, UndoCommand.class,
            ListCommands.ActionnersCommand.class, ListCommands.NotifiersCommand.class,
            ListCommands.OutputsCommand.class, CompletionCommand.class, VersionCommand.class,
            picocli.CommandLine.HelpCommand.class})
public class TalonCommand {

    @Option(names = {"-c", "--config"}, scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Config file (default: /etc/falco-talon/config.yaml, else ./config.yaml, else the packaged"
                    + " default)")
    Path config;

    @Option(names = {"-r", "--rules"}, scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Rule file; repeat to merge several, later files override earlier ones (default:"
                    + " rules_files from the config, else /etc/falco-talon/rules.yaml, else ./rules/rules.yaml,"
                    + " else the packaged example rules)")
    List<Path> rules = new ArrayList<>();
}
