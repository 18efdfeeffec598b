package org.falcosecurity.talon.intake;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.seda.QueueReference;
import org.apache.camel.component.seda.SedaComponent;
import org.apache.camel.spi.Synchronization;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.falcosecurity.talon.contract.TalonHeaders;

import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands an accepted event to its worker's queue ({@code seda:talon-events-<partition>}, read by the
 * {@code talon-worker} routes of {@code routes/dispatch.camel.yaml}) without blocking. A full queue
 * ({@code queue_size} events) or a full byte budget ({@code queue_max_bytes}, all worker queues together) is the
 * {@code Queue full} failure the intake's error handling answers with 429 and {@code Retry-After}.
 *
 * <p>What is queued is a new exchange holding what the workers read: the event's body and headers as the intake left
 * them and its properties (the event, its plan, its partition and trace). It is not a copy of the HTTP exchange, as
 * the seda producer would make: that copy's message keeps the whole request (the Vert.x routing context, request,
 * response and their buffers, about 10 KB an event), so a full queue of 10,000 events held 100 MB in the old
 * generation and the garbage collector took a third of the CPU. The intake exchange's completions (the event's trace
 * span) go with the queued event, as the seda producer hands them over; if the queue is full they stay.
 *
 * <p>The byte budget: {@code queue_size} bounds each queue in events, but events are up to {@code max_body_bytes}
 * each, and four queues of 10,000 small events already held more than the image's heap. Each waiting event counts
 * {@link #cost} (the bytes received and their parsed text, plus the parsed event's objects) from the moment it is
 * queued until its processing completes; an event alone larger than the budget is still taken when nothing waits.
 *
 * <p>A follower's relay queues ({@code seda:talon-relay-<partition>}, routes/replicas.camel.yaml) take events the
 * same way, with the same budget ({@link Budget}): an event counts once, from the intake until a worker has processed
 * it, whichever queues it passes through.
 */
public class WorkerQueues implements Processor {

    /** One instance for every refusal: under overload the intake refuses thousands of events a second. */
    private static final IllegalStateException QUEUE_FULL = new IllegalStateException("Queue full");
    /** What the parsed event's objects hold beside its text (measured: about 4.5 KB for a 1.4 KB Falco event). */
    static final int OVERHEAD_BYTES = 4096;

    /** The bytes the waiting events of every queue hold together, bounded by {@code queue_max_bytes}. */
    public static final class Budget {
        private final long maxBytes;
        private final AtomicLong used = new AtomicLong();

        public Budget(long maxBytes) {
            this.maxBytes = maxBytes;
        }

        /** Bytes of the events queued or being processed now (the {@code falco_talon_queued_bytes} gauge). */
        public long used() {
            return used.get();
        }
    }

    private final String[] names;
    private final Budget budget;
    private volatile SedaComponent seda;

    /** The worker queues, {@code seda:talon-events-<n>}. */
    public WorkerQueues(int workers, Budget budget) {
        this("talon-events", workers, budget);
    }

    /** @param family the queues' name before {@code -<partition>} ({@code talon-events}, {@code talon-relay}) */
    public WorkerQueues(String family, int workers, Budget budget) {
        this.budget = budget;
        names = new String[workers];
        for (int i = 0; i < workers; i++) {
            // the seda component's key of the queue: the endpoint's normalised URI without its parameters
            names[i] = "seda://" + family + "-" + i;
        }
    }

    /** The heap an event is counted for while it waits and runs. */
    static long cost(Object body) {
        return (body instanceof byte[] b ? 2L * b.length : 0) + OVERHEAD_BYTES;
    }

    /** The intake route's step ({@code process: ref: workerQueues}, {@code relayQueues}). */
    @Override
    public void process(Exchange exchange) {
        int partition = exchange.getProperty(TalonHeaders.PROP_PARTITION, Integer.class);
        BlockingQueue<Exchange> queue = queue(exchange, names[partition]);
        Object body = exchange.getMessage().getBody();
        long cost = cost(body);
        AtomicLong used = budget.used;
        long before;
        do {
            // never over the budget, not even for a moment (the gauge reads it); alone, any event fits
            before = used.get();
            if (before > 0 && before + cost > budget.maxBytes) {
                throw QUEUE_FULL;
            }
        } while (!used.compareAndSet(before, before + cost));
        // the same pattern as the request's (InOut), as the seda producer's copy had: a route an integration team
        // adds sees the exchange it saw before
        Exchange queued = new DefaultExchange(exchange.getContext(), exchange.getPattern());
        queued.getIn().setBody(body);
        Map<String, Object> headers = exchange.getMessage().getHeaders();
        if (!headers.isEmpty()) {
            queued.getIn().getHeaders().putAll(headers);
        }
        queued.getProperties().putAll(exchange.getProperties());
        exchange.getExchangeExtension().handoverCompletions(queued);
        Synchronization release = new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                used.addAndGet(-cost);
            }
        };
        queued.getExchangeExtension().addOnCompletion(release);
        if (!queue.offer(queued)) {
            used.addAndGet(-cost);
            // the completions go back to the refused exchange: its answer (429) completes it
            List<Synchronization> back = queued.getExchangeExtension().handoverCompletions();
            for (Synchronization s : back) {
                if (s != release) {
                    exchange.getExchangeExtension().addOnCompletion(s);
                }
            }
            throw QUEUE_FULL;
        }
    }

    private BlockingQueue<Exchange> queue(Exchange exchange, String name) {
        SedaComponent component = seda;
        if (component == null) {
            seda = component = exchange.getContext().getComponent("seda", SedaComponent.class);
        }
        // the workers' routes created the queue when they started, before the intake (startupOrder)
        QueueReference ref = component.getQueues().get(name);
        BlockingQueue<Exchange> queue = ref == null ? null : ref.getQueue();
        if (queue == null) {
            throw new IllegalStateException("the worker queue " + name + " does not exist");
        }
        return queue;
    }
}
