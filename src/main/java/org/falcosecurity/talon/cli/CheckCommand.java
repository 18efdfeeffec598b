package org.falcosecurity.talon.cli;

import org.falcosecurity.talon.notifiers.NotifierValidator;
import org.falcosecurity.talon.rules.Rule;
import org.falcosecurity.talon.rules.load.LoadResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.util.concurrent.Callable;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Check the rule files and the settings of the notifiers in use: exit 0 with a summary when",
            "they are valid, 1 with every error (file, rule or action, field, problem) when not. Warnings (what",
            "upstream Falco Talon ignores silently, such as an unknown key or parameter) do not fail the check",
            "unless --strict is given. Also `rules check`."})
public class CheckCommand implements Callable<Integer> {

    @ParentCommand
    TalonCommand parent;

    @Option(names = "--strict", description = "Treat warnings (unknown keys, unknown parameters, ...) as errors")
    boolean strict;

    @Override
    public Integer call() throws Exception {
        return check(parent, strict);
    }

    /** {@code check} and {@code rules check}. */
    static int check(TalonCommand parent, boolean strict) throws IOException {
        Logging.forCli();
        CliContext.Loaded loaded = CliContext.loadOrReport(parent, strict);
        if (loaded == null) {
            return 1;
        }
        CliContext ctx = loaded.context();
        LoadResult r = loaded.result();
        // the settings of the notifiers the config and the rules use, as `server` checks them at startup (check
        // does not connect to a cluster, so k8sevents is not checked for one)
        java.util.Set<String> problems = new java.util.LinkedHashSet<>(
                NotifierValidator.configProblems(ctx.config, true));
        problems.addAll(NotifierValidator.problems(ctx.config, r.rules().notifiersUsed(), true));
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.err.println("error: " + p));
            System.err.println(problems.size() + " error(s) in the notifier settings of " + ctx.config.source());
            return 1;
        }
        long actions = r.rules().rules().stream().mapToLong(x -> x.actions().size()).sum();
        System.out.println("rules are valid: " + r.rules().size() + " rules, " + actions + " actions in "
                + ctx.ruleFiles.describe() + (r.warnings().isEmpty() ? "" : " (" + r.warnings().size()
                + " warning(s))"));
        for (Rule rule : r.rules().rules()) {
            System.out.println("  - " + rule.name() + (rule.dryRun() ? " (dry-run)" : "") + ": "
                    + String.join(" -> ", rule.actions().stream().map(a -> a.name() + " [" + a.actionner() + "]")
                    .toList()));
        }
        return 0;
    }
}
