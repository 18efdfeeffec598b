package org.falcosecurity.talon.dispatch;

import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.falcosecurity.talon.contract.TalonHeaders;
import org.falcosecurity.talon.rules.Event;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * Keeps one event at a time in flight per pod. Events of a pod already share a worker queue, but a route step may
 * complete asynchronously (a {@code delay}, an asynchronous component) and free the worker thread, which would
 * then start the pod's next event. {@link #enter} blocks the worker until the pod's previous event has completed;
 * the gate opens again when this exchange completes, however it completes.
 */
public class PodGate {

    private static final class Gate {
        final Semaphore permit = new Semaphore(1);
        int users;
    }

    private final Map<String, Gate> gates = new HashMap<>();

    public void enter(Exchange exchange) throws InterruptedException {
        String key = exchange.getProperty(TalonHeaders.PROP_EVENT, Event.class).podKey();
        Gate gate;
        synchronized (gates) {
            gate = gates.computeIfAbsent(key, k -> new Gate());
            gate.users++;
        }
        gate.permit.acquire();
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                gate.permit.release();
                synchronized (gates) {
                    if (--gate.users == 0) {
                        gates.remove(key);
                    }
                }
            }
        });
    }

    /** Pods currently gated (for tests: it returns to 0, the map never grows without bound). */
    public int size() {
        synchronized (gates) {
            return gates.size();
        }
    }

}
