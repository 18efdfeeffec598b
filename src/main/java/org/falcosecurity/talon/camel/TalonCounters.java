package org.falcosecurity.talon.camel;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Talon's own counters, by name and label (for example {@code notifications_lost{notifier=slack}}). They back the
 * Prometheus metrics and let tests assert that a loss or a rejection was counted.
 */
public class TalonCounters {

    private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();

    public void increment(String name, String... labels) {
        counter(key(name, labels)).incrementAndGet();
    }

    public long get(String name, String... labels) {
        AtomicLong c = counters.get(key(name, labels));
        return c == null ? 0 : c.get();
    }

    /** Every counter, keyed {@code name{k=v,...}}. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new TreeMap<>();
        counters.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    private AtomicLong counter(String key) {
        return counters.computeIfAbsent(key, k -> new AtomicLong());
    }

    static String key(String name, String... labels) {
        if (labels.length == 0) {
            return name;
        }
        StringBuilder sb = new StringBuilder(name).append('{');
        for (int i = 0; i + 1 < labels.length; i += 2) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(labels[i]).append('=').append(labels[i + 1]);
        }
        return sb.append('}').toString();
    }
}
