package org.falcosecurity.talon.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.falcosecurity.talon.catalog.Catalog;
import org.falcosecurity.talon.rules.Action;
import org.falcosecurity.talon.rules.BadEventException;
import org.falcosecurity.talon.rules.Event;
import org.falcosecurity.talon.rules.EventParser;
import org.falcosecurity.talon.rules.RuleMatch;
import org.falcosecurity.talon.rules.RuleSet;
import org.falcosecurity.talon.rules.load.LoadResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {
            "Show which rules would fire for saved events, and which actions they would run, without touching any",
            "cluster or notifier. EVENTS is a file or - (stdin): JSON Lines, or one JSON array.",
            "Prints one JSON line per event. With --explain, says for every rule why it fired or not (which criterion",
            "failed) and which of its actions would not run (continue, ignore_errors): text, or JSON with --json.",
            "Exit code: 0 all events parsed, 1 some did not, 2 invalid rules."})
public class SimulateCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParentCommand
    TalonCommand parent;

    @Parameters(index = "0", paramLabel = "EVENTS", description = "Events file, or - for standard input")
    String events;

    @Option(names = "--explain", description = "For every rule: why it fired or not, and what its actions would do")
    boolean explain;

    @Option(names = "--json", description = "With --explain: one JSON line per event (the default without --explain)")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Logging.forCli();
        CliContext.Loaded loaded = CliContext.loadOrReport(parent);
        if (loaded == null) {
            return 2;
        }
        CliContext ctx = loaded.context();
        LoadResult r = loaded.result();
        String text;
        try {
            text = "-".equals(events) ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(events), StandardCharsets.UTF_8);
        } catch (IOException e) {
            System.err.println("error: cannot read " + events + ": " + e.getMessage());
            return 1;
        }
        return simulate(text, r.rules(), ctx.config.dryRun(), ctx.catalog, System.out, explain ? (json ? Mode.EXPLAIN_JSON
                : Mode.EXPLAIN_TEXT) : Mode.PLAN);
    }

    /** What is printed per event. */
    enum Mode { PLAN, EXPLAIN_TEXT, EXPLAIN_JSON }

    /** Prints one line per event; returns 0 when every event parsed, else 1. */
    static int simulate(String text, RuleSet rules, boolean globalDryRun, Catalog catalog, PrintStream out) {
        return simulate(text, rules, globalDryRun, catalog, out, Mode.PLAN);
    }

    /** Prints each event's plan or explanation; returns 0 when every event parsed, else 1. */
    static int simulate(String text, RuleSet rules, boolean globalDryRun, Catalog catalog, PrintStream out,
                        Mode mode) {
        EventParser parser = new EventParser();
        boolean allParsed = true;
        List<Object> inputs = split(text);
        for (int i = 0; i < inputs.size(); i++) {
            Object in = inputs.get(i);
            ObjectNode line = JSON.createObjectNode();
            line.put("event", i);
            try {
                Event e = in instanceof JsonNode n ? parser.parse(n) : parser.parse((String) in);
                if (mode == Mode.EXPLAIN_TEXT) {
                    out.print(ExplainOutput.text(i, e, rules.explain(e, globalDryRun)));
                    continue;
                }
                line.put("rule", e.rule());
                ArrayNode matches = line.putArray("matches");
                for (RuleMatch m : rules.plan(e, globalDryRun)) {
                    ObjectNode mn = matches.addObject();
                    mn.put("rule", m.rule().name());
                    mn.put("dry_run", m.dryRun());
                    ArrayNode actions = mn.putArray("actions");
                    for (Action a : m.actions()) {
                        ObjectNode an = actions.addObject();
                        an.put("action", a.name());
                        an.put("actionner", a.actionner());
                        an.set("parameters", JSON.valueToTree(CliContext.masked(a, catalog)));
                    }
                }
                if (mode == Mode.EXPLAIN_JSON) {
                    line.set("explain", ExplainOutput.json(rules.explain(e, globalDryRun), catalog));
                }
            } catch (BadEventException ex) {
                allParsed = false;
                line.removeAll();
                line.put("event", i);
                line.put("error", ex.getMessage());
                if (mode == Mode.EXPLAIN_TEXT) {
                    out.println("event " + i + ": error: " + ExplainOutput.printable(ex.getMessage()));
                    continue;
                }
            }
            out.println(line);
        }
        return allParsed ? 0 : 1;
    }

    /**
     * The events of the input: the elements of a JSON array; else the JSON values one after the other (JSON Lines,
     * or pretty-printed objects); else, when that stream is broken, each non-blank line on its own.
     */
    static List<Object> split(String text) {
        String t = text.strip();
        List<Object> out = new ArrayList<>();
        if (t.isEmpty()) {
            return out;
        }
        if (t.startsWith("[")) {
            try {
                JsonNode arr = JSON.readTree(t);
                arr.forEach(out::add);
                return out;
            } catch (IOException e) {
                out.add(t);
                return out;
            }
        }
        try (JsonParser p = new JsonFactory().createParser(t);
             MappingIterator<JsonNode> it = JSON.readerFor(JsonNode.class).readValues(p)) {
            List<Object> values = new ArrayList<>();
            while (it.hasNextValue()) {
                values.add(it.nextValue());
            }
            return values;
        } catch (IOException | RuntimeException e) {
            for (String line : text.split("\\R")) {
                if (!line.isBlank()) {
                    out.add(line);
                }
            }
            return out;
        }
    }
}
