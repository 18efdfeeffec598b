package org.falcosecurity.talon.bench;

import org.falcosecurity.talon.rules.Event;
import org.falcosecurity.talon.rules.EventParser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Time to parse a realistic Falco event (the intake does it once per request). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ParseBenchmark {

    final EventParser parser = new EventParser();
    final byte[] body = MatchingBenchmark.EVENT.replace("RULE", "Terminal shell in container")
            .getBytes(StandardCharsets.UTF_8);

    @Benchmark
    public Event parse() throws Exception {
        return parser.parse(body);
    }
}
