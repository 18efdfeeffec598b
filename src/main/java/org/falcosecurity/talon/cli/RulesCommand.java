package org.falcosecurity.talon.cli;

import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.falcosecurity.talon.catalog.Catalog;
import org.falcosecurity.talon.config.Secrets;
import org.falcosecurity.talon.rules.Action;
import org.falcosecurity.talon.rules.Durations;
import org.falcosecurity.talon.rules.FieldTerm;
import org.falcosecurity.talon.rules.Match;
import org.falcosecurity.talon.rules.Rule;
import org.falcosecurity.talon.rules.load.LoadResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "rules", mixinStandardHelpOptions = true, description = "Work with the rule files.",
        subcommands = {RulesCommand.Check.class, RulesCommand.Print.class})
public class RulesCommand {

    @ParentCommand
    TalonCommand parent;

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Check the rule files (upstream Falco Talon's verb; the same as `check`).")
    static class Check implements Callable<Integer> {

        @ParentCommand
        RulesCommand rules;

        @picocli.CommandLine.Option(names = "--strict",
                description = "Treat warnings (unknown keys, unknown parameters, ...) as errors")
        boolean strict;

        @Override
        public Integer call() throws Exception {
            return CheckCommand.check(rules.parent, strict);
        }
    }

    @Command(name = "print", mixinStandardHelpOptions = true,
            description = "Print the merged rules as YAML (every action resolved; secrets masked).")
    static class Print implements Callable<Integer> {

        @ParentCommand
        RulesCommand rules;

        @Override
        public Integer call() throws Exception {
            Logging.forCli();
            CliContext.Loaded loaded = CliContext.loadOrReport(rules.parent);
            if (loaded == null) {
                return 1;
            }
            LoadResult r = loaded.result();
            List<Object> out = new ArrayList<>();
            for (Rule rule : r.rules().rules()) {
                out.add(render(rule, loaded.context().catalog));
            }
            YAMLMapper yaml = YAMLMapper.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build();
            System.out.print(yaml.writeValueAsString(out));
            return 0;
        }
    }

    static Map<String, Object> render(Rule rule, Catalog catalog) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rule", rule.name());
        if (!rule.description().isEmpty()) {
            m.put("description", rule.description());
        }
        Match match = rule.match();
        Map<String, Object> mm = new LinkedHashMap<>();
        if (!match.rules().isEmpty()) {
            mm.put("rules", match.rules());
        }
        if (match.priority() != null) {
            mm.put("priority", match.priority().toString());
        }
        if (!match.tags().isEmpty()) {
            mm.put("tags", match.tags().stream().map(s -> String.join(", ", s)).toList());
        }
        if (!match.outputFields().isEmpty()) {
            mm.put("output_fields", match.outputFields().stream()
                    .map(l -> String.join(", ", l.stream().map(FieldTerm::toString).toList())).toList());
        }
        if (match.source() != null) {
            mm.put("source", match.source());
        }
        m.put("match", mm);
        m.put("continue", rule.continueRules());
        m.put("dry_run", rule.dryRun());
        List<Object> actions = new ArrayList<>();
        for (Action a : rule.actions()) {
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("action", a.name());
            if (!a.description().isEmpty()) {
                am.put("description", a.description());
            }
            am.put("actionner", a.actionner());
            am.put("continue", a.continueAfter());
            am.put("ignore_errors", a.ignoreErrors());
            if (a.ttl() != null) {
                am.put("ttl", Durations.format(a.ttl()));
            }
            if (!a.parameters().isEmpty()) {
                am.put("parameters", CliContext.masked(a, catalog));
            }
            if (a.output() != null) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("target", a.output().target());
                out.put("parameters", Secrets.mask(a.output().parameters(), k -> catalog.output(a.output().target())
                        .map(o -> o.params().containsKey(k) && o.params().get(k).secret()).orElse(false)));
                am.put("output", out);
            }
            if (!a.additionalContexts().isEmpty()) {
                am.put("additional_contexts", a.additionalContexts());
            }
            actions.add(am);
        }
        m.put("actions", actions);
        if (!rule.notifiers().isEmpty()) {
            m.put("notifiers", rule.notifiers());
        }
        m.put("files", rule.files());
        return m;
    }
}
