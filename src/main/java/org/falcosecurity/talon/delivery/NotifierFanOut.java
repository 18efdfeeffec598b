package org.falcosecurity.talon.delivery;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.seda.QueueReference;
import org.apache.camel.component.seda.SedaEndpoint;
import org.apache.camel.support.DefaultExchange;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.contract.TalonHeaders;
import org.falcosecurity.talon.telemetry.Tracing;

import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Offers a result to each of its notifiers' queues, one at a time, and accounts for a full queue on its own: the
 * notifier whose queue is full loses that notification (logged, counted), the others still get it, and nothing is
 * thrown back at the worker. (A recipient list would stop at the first full queue: the seda producer throws "Queue
 * full" outside the route's error handling, and the event's remaining actions never ran.)
 *
 * <p>Each notification is an exchange of its own that carries only the notifier contract: the result as body, its
 * headers ({@link NotifierQueues#setResult}, as for every other result offered to a notifier) and, with tracing on,
 * the parent span. It is not a copy of the event's exchange, whose
 * properties (routing state, plan, endpoints) and whatever headers an actionner route left behind are nobody's
 * business in a notifier route, and whose copy cost more than the rest of the worker's step (three copies of every
 * property per notification: this one, the seda producer's and the notifier queue's {@code enrich}). It goes straight
 * into the queue the notifier's consumer reads, with no producer and no copy; a notification has no unit of work
 * until its consumer takes it, so the event completes (and the pod gate opens) on its own.
 */
public class NotifierFanOut {

    /** The failure of a full queue: one instance, as a queue that is full drops notifications by the thousand. */
    private static final IllegalStateException QUEUE_FULL = new IllegalStateException("Queue full");

    private final NotificationLosses losses;
    /** The queues' endpoints by URI, resolved once (a URI given as text is normalised again on every send). */
    private final Map<String, SedaEndpoint> endpoints = new ConcurrentHashMap<>();

    public NotifierFanOut(NotificationLosses losses) {
        this.losses = losses;
    }

    public void offer(Exchange exchange) {
        Message from = exchange.getMessage();
        String queues = from.getHeader(TalonHeaders.NOTIFIER_QUEUES, String.class);
        if (queues == null || queues.isBlank()) {
            return;
        }
        NotificationTracker tracker = NotificationTracker.of(exchange);
        ActionResult result = from.getBody(ActionResult.class);
        Object parentSpan = exchange.getProperty(Tracing.PROP_NOTIFY_PARENT);
        for (String queue : queues.split(",")) {
            Exchange notification = notification(exchange, result, parentSpan);
            // Kafka mode: the event's offset is committed once this notification is delivered or dead-lettered
            NotificationTracker.Ticket ticket = tracker == null ? null : tracker.track(notification);
            Throwable failure;
            try {
                SedaEndpoint endpoint = endpoints.computeIfAbsent(queue,
                        q -> exchange.getContext().getEndpoint(q, SedaEndpoint.class));
                failure = enqueue(endpoint, notification);
            } catch (RuntimeException e) {
                failure = e;
            }
            if (failure != null) {
                losses.queueFull(notification, NotifierQueues.notifierOf(queue), failure);
                if (ticket != null) {
                    ticket.done();
                }
            }
        }
    }

    /** The notification of one notifier: the result, its headers, the parent span; nothing else of the event. */
    private static Exchange notification(Exchange event, ActionResult result, Object parentSpan) {
        Exchange n = new DefaultExchange(event.getContext());
        NotifierQueues.setResult(n.getMessage(), result);
        if (parentSpan != null) {
            n.setProperty(Tracing.PROP_NOTIFY_PARENT, parentSpan);
        }
        return n;
    }

    /** Into the notifier's queue without blocking; the failure when it is full, else null. */
    private static Throwable enqueue(SedaEndpoint endpoint, Exchange notification) {
        // as the seda producer does (failIfNoConsumers=false): a queue whose consumer is not running (yet, or any
        // more while Talon stops) still takes the notification
        QueueReference ref = endpoint.getQueueReference();
        BlockingQueue<Exchange> queue = ref != null ? ref.getQueue() : endpoint.getQueue();
        return queue.offer(notification) ? null : QUEUE_FULL;
    }
}
