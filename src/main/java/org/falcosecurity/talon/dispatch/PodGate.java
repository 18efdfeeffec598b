package org.falcosecurity.talon.dispatch;

import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.falcosecurity.talon.contract.TalonHeaders;
import org.falcosecurity.talon.ops.TalonCounters;
import org.falcosecurity.talon.rules.Event;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * Keeps one event at a time in flight per pod. Events of a pod already share a worker queue, but a route step may
 * complete asynchronously (a {@code delay}, an asynchronous component) and free the worker thread, which would
 * then start the pod's next event. {@link #enter} blocks the worker until the pod's previous event has completed;
 * the gate opens again when this exchange completes, however it completes.
 *
 * <p>The map is keyed by pod names the sender chooses, but holds only pods with an event in flight (an entry goes
 * when its last event completes), and at most {@code maxGates} of them: past that, an event runs without a gate
 * (still on its pod's worker, in order; only an asynchronous step could let the pod's next event overtake it),
 * counted in {@code falco_talon_tracking_overflows_total{map="pod_gate"}}.
 */
public class PodGate {

    /** Most pods gated at once, by default. */
    public static final int MAX_GATES = 10_000;

    private static final class Gate {
        final Semaphore permit = new Semaphore(1);
        int users;
    }

    private final Map<String, Gate> gates = new HashMap<>();
    private final int maxGates;
    private final TalonCounters counters;

    public PodGate(int maxGates, TalonCounters counters) {
        this.maxGates = maxGates;
        this.counters = counters;
    }

    public void enter(Exchange exchange) throws InterruptedException {
        String key = exchange.getProperty(TalonHeaders.PROP_EVENT, Event.class).podKey();
        Gate gate;
        synchronized (gates) {
            gate = gates.get(key);
            if (gate == null) {
                if (gates.size() >= maxGates) {
                    counters.increment("tracking_overflows", "map", "pod_gate");
                    return;
                }
                gate = new Gate();
                gates.put(key, gate);
            }
            gate.users++;
        }
        Gate held = gate;
        try {
            held.permit.acquire();
        } catch (InterruptedException e) {
            leave(key, held);
            throw e;
        }
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                held.permit.release();
                leave(key, held);
            }
        });
    }

    private void leave(String key, Gate gate) {
        synchronized (gates) {
            if (--gate.users == 0) {
                gates.remove(key);
            }
        }
    }

    /** Pods currently gated (for tests: it returns to 0, the map never grows without bound). */
    public int size() {
        synchronized (gates) {
            return gates.size();
        }
    }
}
