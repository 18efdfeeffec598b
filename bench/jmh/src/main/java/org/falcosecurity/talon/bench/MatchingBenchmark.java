package org.falcosecurity.talon.bench;

import org.falcosecurity.talon.rules.Catalog;
import org.falcosecurity.talon.rules.Event;
import org.falcosecurity.talon.rules.EventParser;
import org.falcosecurity.talon.rules.LoadResult;
import org.falcosecurity.talon.rules.RuleMatch;
import org.falcosecurity.talon.rules.RuleSet;
import org.falcosecurity.talon.rules.RuleSource;
import org.falcosecurity.talon.rules.RulesLoader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Time to compute the action plan of one event, for 10, 200 and 2,000 rules.
 *
 * <ul>
 *   <li>{@code by_name}: every rule selects by Falco rule name ({@code match.rules}); the event names one of them.
 *       The index makes this cost the same whatever the number of rules.</li>
 *   <li>{@code by_name_no_match}: the same rules; the event's Falco rule is named by none.</li>
 *   <li>{@code by_tags_and_fields}: no rule names a Falco rule; each selects by tags and output fields, so every
 *       rule is evaluated (the last one matches).</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MatchingBenchmark {

    @Param({"10", "200", "2000"})
    int rules;

    @Param({"by_name", "by_name_no_match", "by_tags_and_fields"})
    String selection;

    RuleSet ruleSet;
    Event event;

    @Setup
    public void setup() throws Exception {
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < rules; i++) {
            yaml.append("- rule: rule-").append(i).append('\n').append("  match:\n");
            if (selection.startsWith("by_name")) {
                yaml.append("    rules: [\"Falco rule ").append(i).append("\"]\n");
                yaml.append("    priority: \">=Notice\"\n");
            } else {
                // only the last rule matches the event's tags and fields
                String ns = i == rules - 1 ? "default" : "ns-" + i;
                yaml.append("    tags: [\"container, shell\", \"tag-").append(i).append("\"]\n");
                yaml.append("    output_fields: [\"k8s.ns.name=").append(ns).append(", proc.name=sh\"]\n");
            }
            yaml.append("  actions:\n    - action: log\n      actionner: custom:log\n");
        }
        Catalog catalog = Catalog.fromEndpoints(List.of("direct:actionner-custom-log"));
        LoadResult r = new RulesLoader(catalog).load(List.of(new RuleSource("bench.yaml", yaml.toString(), null)));
        if (!r.ok()) {
            throw new IllegalStateException(r.errors().toString());
        }
        ruleSet = r.rules();
        String falcoRule = switch (selection) {
            case "by_name" -> "Falco rule " + (rules / 2);
            case "by_name_no_match" -> "Some other Falco rule";
            default -> "Terminal shell in container";
        };
        event = new EventParser().parse(EVENT.replace("RULE", falcoRule));
        int expected = selection.equals("by_name_no_match") ? 0 : 1;
        if (ruleSet.plan(event, false).size() != expected) {
            throw new IllegalStateException("unexpected plan for " + selection);
        }
    }

    @Benchmark
    public List<RuleMatch> plan() {
        return ruleSet.plan(event, false);
    }

    static final String EVENT = """
            {"uuid":"cc84de57-7617-4359-ad40-1a7a8d854743","output":"13:54:29.996542100: Notice A shell was spawned \
            in a container with an attached terminal","priority":"Notice","rule":"RULE",\
            "time":"2026-11-27T13:54:29.996542100Z","source":"syscall","hostname":"worker-1",\
            "tags":["maturity_stable","container","shell","mitre_execution","T1059"],"output_fields":{"evt.type":"execve",\
            "user.name":"root","user.uid":0,"proc.name":"sh","proc.cmdline":"sh -c bash","container.id":"f13c72275fd4",\
            "k8s.ns.name":"default","k8s.pod.name":"cncf-55696bc998-ql5qd"}}""";
}
