package org.falcosecurity.talon.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.util.List;

/**
 * Talon's own counters, by name and label (for example {@code notifications_lost{notifier=slack}}). They are
 * Micrometer counters named {@code falco_talon_<name>} in the registry that {@code /metrics} exposes (Prometheus adds
 * {@code _total}), and tests read them back with {@link #get} to assert that a loss or a rejection was counted.
 *
 * <p>Label values must come from bounded sets (validated names, fixed reasons), never from event text: every new
 * value is a new time series.
 */
public class TalonCounters {

    /** Prefix of every Talon meter. */
    public static final String PREFIX = "falco_talon_";

    private final MeterRegistry registry;

    /** Counters that nothing exports (tools and tests that run no server). */
    public TalonCounters() {
        this(new SimpleMeterRegistry());
    }

    public TalonCounters(MeterRegistry registry) {
        this.registry = registry;
        // before any meter: upstream's counters carry labels from event data, bounded here
        registry.config().meterFilter(UpstreamMetrics.boundedLabels());
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Adds one to {@code name} with the labels given as key, value pairs. */
    public void increment(String name, String... labels) {
        registry.counter(PREFIX + name, labels).increment();
    }

    /** The count of {@code name} with exactly these labels (0 when never incremented). */
    public long get(String name, String... labels) {
        List<Tag> wanted = Tags.of(labels).stream().toList();
        long total = 0;
        for (Counter c : registry.find(PREFIX + name).counters()) {
            if (c.getId().getTags().equals(wanted)) {
                total += (long) c.count();
            }
        }
        return total;
    }
}
