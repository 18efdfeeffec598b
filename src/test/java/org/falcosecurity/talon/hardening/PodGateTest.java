package org.falcosecurity.talon.hardening;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.falcosecurity.talon.contract.TalonHeaders;
import org.falcosecurity.talon.dispatch.PodGate;
import org.falcosecurity.talon.ops.TalonCounters;
import org.falcosecurity.talon.rules.Event;
import org.falcosecurity.talon.rules.Priority;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The pod gate's map is keyed by pod names the sender chooses: it has a hard cap, and what passes it is counted. */
class PodGateTest {

    private final DefaultCamelContext camel = new DefaultCamelContext();
    private final TalonCounters counters = new TalonCounters();

    private Exchange event(String pod) {
        Exchange e = new DefaultExchange(camel);
        e.setProperty(TalonHeaders.PROP_EVENT, new Event("", "r", Priority.CRITICAL, "", "", "", "syscall", "h",
                List.of(), Map.of("k8s.ns.name", "ns", "k8s.pod.name", pod)));
        return e;
    }

    private static void complete(Exchange e) {
        var done = e.getExchangeExtension().handoverCompletions();
        if (done != null) {
            done.forEach(s -> s.onComplete(e));
        }
    }

    @Test
    void holdsAtMostItsCapAndCountsWhatItDidNotGate() throws Exception {
        PodGate gate = new PodGate(3, counters);
        List<Exchange> inFlight = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Exchange e = event("pod-" + i);
            gate.enter(e);
            inFlight.add(e);
        }
        assertThat(gate.size()).isEqualTo(3);
        assertThat(counters.get("tracking_overflows", "map", "pod_gate")).isEqualTo(7);
        inFlight.forEach(PodGateTest::complete);
        assertThat(gate.size()).isZero();
        // room again: the next pods are gated
        Exchange next = event("pod-x");
        gate.enter(next);
        assertThat(gate.size()).isEqualTo(1);
        complete(next);
        assertThat(gate.size()).isZero();
    }

    @Test
    void anInterruptedWaitLeavesNoEntry() throws Exception {
        PodGate gate = new PodGate(3, counters);
        Exchange first = event("p");
        gate.enter(first);
        Thread t = new Thread(() -> {
            try {
                gate.enter(event("p"));
            } catch (InterruptedException expected) {
                // the worker is stopping
            }
        });
        t.start();
        org.awaitility.Awaitility.await().until(() -> t.getState() == Thread.State.WAITING);
        t.interrupt();
        t.join(5000);
        complete(first);
        assertThat(gate.size()).isZero();
    }
}
