package org.falcosecurity.talon.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code completion bash|zsh|fish}: the shell completion script, as upstream's (cobra's) {@code completion} prints
 * one. picocli generates the bash script, which zsh runs through bashcompinit (the script sets that up itself); the
 * fish script is made here from the same command model: subcommands, options and their descriptions.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print the completion script of a shell.",
            "bash: source <(falco-talon completion bash); zsh: source <(falco-talon completion zsh);",
            "fish: falco-talon completion fish | source"})
public class CompletionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SHELL", description = "bash, zsh or fish")
    String shell;

    @Override
    public Integer call() {
        CommandLine root = spec.root().commandLine();
        String name = spec.root().name();
        switch (shell.toLowerCase(Locale.ROOT)) {
            case "bash", "zsh" -> System.out.print(AutoComplete.bash(name, root));
            case "fish" -> System.out.print(fish(name, root));
            default -> {
                System.err.println("error: unknown shell '" + shell.replaceAll("[^A-Za-z0-9_-]", "?")
                        + "' (expected bash, zsh or fish)");
                return 2;
            }
        }
        return 0;
    }

    /** {@code complete -c <name> ...} lines for every subcommand and option. */
    static String fish(String name, CommandLine root) {
        StringBuilder sb = new StringBuilder("# fish completion for " + name + " (falco-talon completion fish)\n");
        sb.append("complete -c ").append(name).append(" -f\n");
        fish(sb, name, root, List.of());
        return sb.toString();
    }

    private static void fish(StringBuilder sb, String name, CommandLine cmd, List<String> path) {
        String condition = path.isEmpty() ? "__fish_use_subcommand"
                : "__fish_seen_subcommand_from " + path.get(path.size() - 1)
                + (cmd.getSubcommands().isEmpty() ? ""
                : "; and not __fish_seen_subcommand_from " + String.join(" ", cmd.getSubcommands().keySet()));
        for (var e : cmd.getSubcommands().entrySet()) {
            sb.append("complete -c ").append(name).append(" -n '").append(condition).append("' -a ")
                    .append(e.getKey()).append(" -d ").append(quote(first(e.getValue().getCommandSpec()
                            .usageMessage().description()))).append('\n');
        }
        for (OptionSpec o : cmd.getCommandSpec().options()) {
            sb.append("complete -c ").append(name);
            if (!path.isEmpty()) {
                sb.append(" -n '__fish_seen_subcommand_from ").append(path.get(path.size() - 1)).append("'");
            }
            for (String n : o.names()) {
                sb.append(n.startsWith("--") ? " -l " + n.substring(2) : " -s " + n.substring(1));
            }
            if (o.arity().max() > 0) {
                sb.append(" -r -F");
            }
            sb.append(" -d ").append(quote(first(o.description()))).append('\n');
        }
        for (var e : cmd.getSubcommands().entrySet()) {
            List<String> sub = new ArrayList<>(path);
            sub.add(e.getKey());
            fish(sb, name, e.getValue(), sub);
        }
    }

    /** The first line of a description, without picocli's format specifiers ({@code %n}, {@code %%}). */
    private static String first(String[] lines) {
        return lines.length == 0 ? "" : lines[0].replace("%n", " ").replace("%%", "%").strip();
    }

    private static String quote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
