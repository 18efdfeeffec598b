package org.falcosecurity.talon.delivery;

import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.falcosecurity.talon.contract.TalonHeaders;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Offers a result to each of its notifiers' queues, one at a time, and accounts for a full queue on its own: the
 * notifier whose queue is full loses that notification (logged, counted), the others still get it, and nothing is
 * thrown back at the worker. (A recipient list would stop at the first full queue: the seda producer throws "Queue
 * full" outside the route's error handling, and the event's remaining actions never ran.)
 */
public class NotifierFanOut {

    private final NotificationLosses losses;
    private volatile ProducerTemplate template;
    /** The queues' endpoints by URI, resolved once (a URI given as text is normalised again on every send). */
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();

    public NotifierFanOut(NotificationLosses losses) {
        this.losses = losses;
    }

    public void offer(Exchange exchange) {
        String queues = exchange.getMessage().getHeader(TalonHeaders.NOTIFIER_QUEUES, String.class);
        if (queues == null || queues.isBlank()) {
            return;
        }
        NotificationTracker tracker = NotificationTracker.of(exchange);
        for (String queue : queues.split(",")) {
            Exchange copy = exchange.copy();
            // Exchange.copy() shares the event's unit of work, and the seda producer hands that unit of work's
            // on-completions (the pod gate, ...) over to the copy: the pod's next event would then wait until this
            // notification is delivered (retries included). The copy has its own; the event completes on its own.
            copy.getExchangeExtension().setUnitOfWork(null);
            // Kafka mode: the event's offset is committed once this notification is delivered or dead-lettered
            NotificationTracker.Ticket ticket = tracker == null ? null : tracker.track(copy);
            Throwable failure;
            try {
                Endpoint endpoint = endpoints.computeIfAbsent(queue, exchange.getContext()::getEndpoint);
                failure = template(exchange).send(endpoint, copy).getException();
            } catch (RuntimeException e) {
                failure = e;
            }
            if (failure != null) {
                losses.queueFull(copy, NotifierQueues.notifierOf(queue), failure);
                if (ticket != null) {
                    ticket.done();
                }
            }
        }
    }

    private ProducerTemplate template(Exchange exchange) {
        ProducerTemplate t = template;
        if (t == null) {
            synchronized (this) {
                if (template == null) {
                    template = exchange.getContext().createProducerTemplate();
                }
                t = template;
            }
        }
        return t;
    }
}
