package org.falcosecurity.talon.kubernetes;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/** Turns a failed API call into a short error for the result: the HTTP code and the API server's own message. */
public final class KubernetesErrors implements Processor {

    /** Exchange property: how many times the failed call was retried. */
    public static final String RETRIES = "TalonKubernetesRetries";

    /** Called before each retry ({@code onRedeliveryRef}): counts it. */
    @Override
    public void process(Exchange exchange) {
        exchange.setProperty(RETRIES, exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, Integer.class));
    }

    /** @return the error text for a result, never the stack trace */
    public String describe(Exception e) {
        return text(e);
    }

    /** The error text of a call that was retried {@code retries} times before Talon gave up. */
    public String describeRetried(Exception e, Integer retries) {
        return text(e) + (retries == null || retries == 0 ? "" : " (gave up after " + retries + " retries)");
    }

    /**
     * Whether the call is worth retrying: the API server could not be reached, is overloaded (429), saw a conflict
     * (409) or failed (5xx). Any other answer (400, 403, 404, 422, ...) would come back the same.
     */
    public boolean retriable(Exception e) {
        if (!(e instanceof KubernetesClientException k)) {
            return false;
        }
        int code = k.getCode();
        return code <= 0 || code == 409 || code == 429 || code >= 500;
    }

    public static String text(Throwable e) {
        if (e instanceof KubernetesClientException k) {
            Status s = k.getStatus();
            int code = k.getCode();
            String message = s != null && s.getMessage() != null && !s.getMessage().isBlank() ? s.getMessage()
                    : firstLine(k.getMessage());
            if (code <= 0) {
                Throwable cause = rootCause(k);
                return "cannot reach the Kubernetes API: " + (cause == k ? message
                        : cause.getClass().getSimpleName() + ": " + firstLine(cause.getMessage()));
            }
            String hint = code == 403 ? " (check that Talon's ClusterRole, kubernetes/rbac.yaml, grants it)" : "";
            return "Kubernetes API error " + code + reason(s) + ": " + message + hint;
        }
        return e.getClass().getSimpleName() + ": " + firstLine(e.getMessage());
    }

    private static String reason(Status s) {
        return s != null && s.getReason() != null && !s.getReason().isBlank() ? " (" + s.getReason() + ")" : "";
    }

    private static Throwable rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
