package org.falcosecurity.talon.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.contract.ResultListener;
import org.falcosecurity.talon.rules.Event;
import org.falcosecurity.talon.rules.RuleEngine;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The metrics that come from action results and from the rule engine, beside the counters the routes' beans
 * increment ({@link TalonCounters}). Exposed at {@code /metrics} by camel-micrometer-prometheus:
 * <ul>
 *   <li>{@code falco_talon_actions_total{actionner,status}}: every action result (dry runs included);</li>
 *   <li>{@code falco_talon_action_latency_seconds{actionner}}: a histogram of the time from the event's arrival at
 *       the intake to its action's result;</li>
 *   <li>{@code falco_talon_rules_loaded}: the rules in use;</li>
 *   <li>{@code falco_talon_log_events_dropped_total}: INFO log lines dropped because the asynchronous log's queue
 *       was full ({@link LogQueuePolicy}).</li>
 * </ul>
 */
public final class TalonMetrics implements ResultListener {

    /** Histogram buckets: an action is expected within milliseconds, a slow API server can take seconds. */
    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private final TalonCounters counters;
    private final MeterRegistry registry;
    /** The latency histogram of each actionner (actionner names are validated, a bounded set). */
    private final Map<String, Timer> latency = new ConcurrentHashMap<>();

    public TalonMetrics(TalonCounters counters, RuleEngine engine) {
        this.counters = counters;
        this.registry = counters.registry();
        Gauge.builder(TalonCounters.PREFIX + "rules_loaded", engine, e -> e.rules().size())
                .description("Rules in use")
                .register(registry);
        FunctionCounter.builder(TalonCounters.PREFIX + "log_events_dropped", LogQueuePolicy.class,
                        c -> LogQueuePolicy.dropped())
                .description("INFO log lines dropped because the asynchronous log's queue was full")
                .register(registry);
    }

    @Override
    public void onResult(ActionResult result, Event event, long receivedNanos) {
        counters.increment("actions", "actionner", result.getActionner(), "status", result.getStatus());
        UpstreamMetrics.action(registry, result);
        latency.computeIfAbsent(result.getActionner(), a -> Timer.builder(TalonCounters.PREFIX + "action_latency")
                        .description("Time from the event's arrival to its action's result")
                        .tag("actionner", a)
                        .serviceLevelObjectives(LATENCY_BUCKETS)
                        .register(registry))
                .record(Duration.ofNanos(Math.max(0, System.nanoTime() - receivedNanos)));
    }
}
