package org.falcosecurity.talon.hardening;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.falcosecurity.talon.contract.TalonHeaders;
import org.falcosecurity.talon.dispatch.EventDeduplicator;
import org.falcosecurity.talon.ops.TalonCounters;
import org.falcosecurity.talon.rules.Event;
import org.falcosecurity.talon.rules.Priority;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class EventDeduplicatorTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final TalonCounters counters = new TalonCounters();
    private final CamelContext camel = new DefaultCamelContext();

    private String key(EventDeduplicator d, String rule, String output, String pod, String container) {
        Exchange x = new DefaultExchange(camel);
        x.setProperty(TalonHeaders.PROP_EVENT, new Event("", rule, Priority.WARNING, "12:00:00.000000000: Warning " + output,
                output, "", "syscall", "h", List.of(), Map.of("k8s.pod.name", pod, "k8s.ns.name", "ns",
                "container.id", container)));
        return d.key(x);
    }

    @Test
    void suppressesIdenticalEventsInsideTheWindowAndCountsThem() {
        EventDeduplicator d = new EventDeduplicator(5, "output", 100, counters, now::get);
        String k = key(d, "r", "a shell", "p", "c1");
        assertThat(d.add(k)).isTrue();
        assertThat(d.add(k)).isFalse();
        now.addAndGet(4_999_000_000L);
        assertThat(d.add(k)).isFalse();
        now.addAndGet(2_000_000L);
        assertThat(d.add(k)).isTrue();
        assertThat(counters.get("events_deduplicated")).isEqualTo(2);
    }

    @Test
    void theKeyIsRuleAndOutputByDefaultOrRulePodAndContainer() {
        EventDeduplicator byOutput = new EventDeduplicator(5, "output", 100, counters, now::get);
        assertThat(key(byOutput, "r", "out", "p1", "c1")).isEqualTo(key(byOutput, "r", "out", "p2", "c2"));
        assertThat(key(byOutput, "r", "out", "p1", "c1")).isNotEqualTo(key(byOutput, "r", "other", "p1", "c1"));
        assertThat(key(byOutput, "r", "out", "p1", "c1")).isNotEqualTo(key(byOutput, "s", "out", "p1", "c1"));
        EventDeduplicator byPod = new EventDeduplicator(5, "pod", 100, counters, now::get);
        assertThat(key(byPod, "r", "out", "p1", "c1")).isEqualTo(key(byPod, "r", "other", "p1", "c1"));
        assertThat(key(byPod, "r", "out", "p1", "c1")).isNotEqualTo(key(byPod, "r", "out", "p1", "c2"));
    }

    @Test
    void staysWithinItsMemoryBound() {
        EventDeduplicator d = new EventDeduplicator(60, "output", 1000, counters, now::get);
        for (int i = 0; i < 50_000; i++) {
            assertThat(d.add("key-" + i)).isTrue();
        }
        assertThat(d.contains("key-49999")).isTrue();
        assertThat(d.contains("key-0")).isFalse();
        assertThat(d.remove("key-49999")).isTrue();
        assertThat(counters.get("tracking_evicted", "map", "deduplication")).isEqualTo(49_000);
    }

    @Test
    void storesAFixedSizeDigestWhateverTheEventsSize() {
        EventDeduplicator d = new EventDeduplicator(60, "output", 1000, counters, now::get);
        String big = "x".repeat(1024 * 1024);
        String k = key(d, "r", big, "p", "c");
        // a SHA-256 digest, Base64: 44 characters for a 1 MiB output (bounded by bytes, not only by entries)
        assertThat(k).hasSize(44).doesNotContain("xxxx");
        assertThat(key(d, "r", big + "y", "p", "c")).hasSize(44).isNotEqualTo(k);
        assertThat(key(d, "r", big, "p", "c")).isEqualTo(k);
        EventDeduplicator byPod = new EventDeduplicator(60, "pod", 1000, counters, now::get);
        assertThat(key(byPod, "r", "o", "p".repeat(100_000), "c")).hasSize(44);
    }

    @Test
    void aZeroWindowTurnsItOff() {
        EventDeduplicator d = new EventDeduplicator(0, "output", 100, counters, now::get);
        assertThat(d.add("k")).isTrue();
        assertThat(d.add("k")).isTrue();
    }
}
