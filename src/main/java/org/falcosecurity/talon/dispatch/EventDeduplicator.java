package org.falcosecurity.talon.dispatch;

import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.falcosecurity.talon.contract.TalonHeaders;
import org.falcosecurity.talon.ops.TalonCounters;
import org.falcosecurity.talon.rules.Event;

import java.util.ArrayList;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Suppresses identical events inside a time window, for the {@code idempotentConsumer} of the process route.
 *
 * <p>The key is the Falco rule plus either the output without its time prefix ({@code deduplication.key: output},
 * the default) or the namespace, pod and container id ({@code pod}). What is stored is not that text (up to
 * {@code max_body_bytes} of it, chosen by the sender) but its SHA-256 digest: 44 characters whatever the event. Keys
 * live at most the window; at most {@code max_entries} are kept (the oldest are forgotten first, counted in
 * {@code falco_talon_tracking_evicted_total{map="deduplication"}}), so memory stays bounded by bytes under any load.
 * Events of one pod always go to the same worker (and, in Kafka mode, the same partition), so the window holds
 * without any shared store.
 */
public class EventDeduplicator extends ServiceSupport implements IdempotentRepository {

    private final long windowNanos;
    private final boolean byPod;
    private final int maxEntries;
    private final TalonCounters counters;
    private final LongSupplier clock;
    /** key → expiry (nanos); insertion-ordered, so the eldest entries are the first to expire. */
    private final LinkedHashMap<String, Long> seen = new LinkedHashMap<>();

    public EventDeduplicator(int windowSeconds, String key, int maxEntries, TalonCounters counters,
                             LongSupplier clock) {
        this.windowNanos = windowSeconds * 1_000_000_000L;
        this.byPod = "pod".equals(key);
        this.maxEntries = maxEntries;
        this.counters = counters;
        this.clock = clock;
    }

    /** The deduplication key of the exchange's event: a fixed-size digest of what makes events identical. */
    public String key(Exchange exchange) {
        if (windowNanos == 0) {
            return "-"; // deduplication off: every event is new (add), no digest needed
        }
        Event e = exchange.getProperty(TalonHeaders.PROP_EVENT, Event.class);
        if (byPod) {
            return digest(e.rule() + '\u0000' + e.namespace() + '\u0000' + e.podName() + '\u0000'
                    + e.field("container.id"));
        }
        return digest(e.rule() + '\u0000' + e.outputText());
    }

    static String digest(String text) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** @return true when the key is new (the event is processed), false for a duplicate inside the window */
    @Override
    public synchronized boolean add(String key) {
        if (windowNanos == 0) {
            return true;
        }
        long now = clock.getAsLong();
        expire(now);
        Long expiry = seen.get(key);
        if (expiry != null && expiry - now > 0) {
            counters.increment("events_deduplicated");
            return false;
        }
        seen.remove(key);
        seen.put(key, now + windowNanos);
        while (seen.size() > maxEntries) {
            Iterator<String> it = seen.keySet().iterator();
            it.next();
            it.remove();
            counters.increment("tracking_evicted", "map", "deduplication");
        }
        return true;
    }

    private void expire(long now) {
        Iterator<Map.Entry<String, Long>> it = seen.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue() - now <= 0) {
                it.remove();
            } else {
                return; // the rest expire later (insertion order = expiry order)
            }
        }
    }

    @Override
    public synchronized boolean contains(String key) {
        Long expiry = seen.get(key);
        return expiry != null && expiry - clock.getAsLong() > 0;
    }

    @Override
    public synchronized boolean remove(String key) {
        return seen.remove(key) != null;
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public synchronized void clear() {
        seen.clear();
    }

    synchronized int size() {
        return seen.size();
    }

    /**
     * The keys still inside the window, newest first, each with the wall-clock time (epoch milliseconds) it expires,
     * up to {@code maxChars} characters of keys: what a leader hands over to the next one when it stops.
     */
    public synchronized List<Map.Entry<String, Long>> snapshot(int maxChars) {
        long now = clock.getAsLong();
        long wallNow = System.currentTimeMillis();
        expire(now);
        List<Map.Entry<String, Long>> out = new ArrayList<>();
        List<Map.Entry<String, Long>> entries = new ArrayList<>(seen.entrySet());
        int chars = 0;
        for (int i = entries.size() - 1; i >= 0; i--) {
            Map.Entry<String, Long> e = entries.get(i);
            chars += e.getKey().length();
            if (chars > maxChars) {
                break;
            }
            out.add(Map.entry(e.getKey(), wallNow + (e.getValue() - now) / 1_000_000L));
        }
        return out;
    }

    /**
     * Adds keys another replica saw (from {@link #snapshot}), each until its wall-clock expiry, unless already
     * known; returns how many were added.
     */
    public synchronized int seed(List<Map.Entry<String, Long>> entries) {
        if (windowNanos == 0) {
            return 0;
        }
        long now = clock.getAsLong();
        long wallNow = System.currentTimeMillis();
        int added = 0;
        // oldest first, so the map stays in expiry order
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(entries);
        sorted.sort(Map.Entry.comparingByValue());
        for (Map.Entry<String, Long> e : sorted) {
            long left = e.getValue() - wallNow;
            if (left <= 0 || left > windowNanos / 1_000_000L || seen.containsKey(e.getKey())
                    || seen.size() >= maxEntries) {
                continue;
            }
            seen.put(e.getKey(), now + left * 1_000_000L);
            added++;
        }
        if (added > 0) {
            // back in expiry order, which expire() relies on
            List<Map.Entry<String, Long>> all = new ArrayList<>(seen.entrySet());
            all.sort((a, b) -> Long.signum(a.getValue() - b.getValue()));
            seen.clear();
            all.forEach(x -> seen.put(x.getKey(), x.getValue()));
        }
        return added;
    }

    /** The deduplication window, in seconds. */
    public long windowSeconds() {
        return windowNanos / 1_000_000_000L;
    }
}
