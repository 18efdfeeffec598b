package org.falcosecurity.talon.delivery;

import org.apache.camel.CamelContext;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.contract.TalonHeaders;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.falcosecurity.talon.catalog.Catalog;
import org.falcosecurity.talon.config.TalonConfig;
import org.falcosecurity.talon.notifiers.NotifierSettings;

/**
 * Instantiates the route templates of {@code routes/dispatch.camel.yaml}: one worker per partition and one queue per
 * notifier route found; and, with leader election, one relay per partition ({@code routes/replicas.camel.yaml}).
 */
public final class NotifierQueues {

    private NotifierQueues() {
    }

    /** The queue a notifier's results go to; {@code notifier} is a validated notifier name. */
    public static String queueEndpoint(String notifier) {
        if (!Catalog.NOTIFIER_NAME.matcher(notifier).matches()) {
            throw new IllegalArgumentException("not a notifier name: " + notifier);
        }
        return "seda:talon-notify-" + notifier + "?waitForTaskToComplete=Never&blockWhenFull=false";
    }

    /**
     * Offers a result to one notifier's queue with the notifier headers (for results produced outside an event's
     * dispatch: audit records, reverts); returns the failure (a full queue), or {@code null}.
     */
    public static Throwable offer(ProducerTemplate template, String queueEndpoint, ActionResult r) {
        try {
            return template.send(queueEndpoint, ex -> setResult(ex.getMessage(), r)).getException();
        } catch (RuntimeException e) {
            return e;
        }
    }

    /** The result as body, and the notifier headers of the contract ({@link TalonHeaders}). */
    public static void setResult(Message m, ActionResult r) {
        m.setBody(r);
        m.setHeader(TalonHeaders.STATUS, r.getStatus());
        m.setHeader(TalonHeaders.RULE, r.getRule());
        m.setHeader(TalonHeaders.ACTION, r.getAction());
        m.setHeader(TalonHeaders.ACTIONNER, r.getActionner());
        m.setHeader(TalonHeaders.TRACE_ID, r.getTraceId());
    }

    /** The notifier name of a {@link #queueEndpoint} URI. */
    public static String notifierOf(String queueEndpoint) {
        String rest = queueEndpoint.substring(queueEndpoint.indexOf("talon-notify-") + "talon-notify-".length());
        int q = rest.indexOf('?');
        return q < 0 ? rest : rest.substring(0, q);
    }

    public static void createWorkers(CamelContext context, int workers) {
        for (int i = 0; i < workers; i++) {
            TemplatedRouteBuilder.builder(context, "talon-worker")
                    .routeId("worker-" + i)
                    .parameter("partition", String.valueOf(i))
                    .add();
        }
    }

    public static void createRelays(CamelContext context, int workers) {
        for (int i = 0; i < workers; i++) {
            TemplatedRouteBuilder.builder(context, "talon-relay")
                    .routeId("relay-" + i)
                    .parameter("partition", String.valueOf(i))
                    .add();
        }
    }

    /** One queue per notifier route, with as many consumers as the notifier's {@code workers}. */
    public static void createNotifierQueues(CamelContext context, Catalog catalog, TalonConfig config) {
        for (String n : catalog.notifierNames()) {
            TemplatedRouteBuilder.builder(context, "talon-notifier-queue")
                    .routeId("notifier-queue-" + n)
                    .parameter("notifier", n)
                    .parameter("workers", String.valueOf(NotifierSettings.workers(config, n)))
                    .add();
        }
    }
}
