package org.falcosecurity.talon.kubernetes;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** Turns a failed API call into a short error for the result: the HTTP code and the API server's own message. */
public final class KubernetesErrors {

    /** @return the error text for a result, never the stack trace */
    public String describe(Exception e) {
        return text(e);
    }

    static String text(Throwable e) {
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
