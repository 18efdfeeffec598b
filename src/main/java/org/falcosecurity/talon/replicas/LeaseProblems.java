package org.falcosecurity.talon.replicas;

import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs what goes wrong with the Lease once per kind of problem, and when it is gone: a 409 (another replica wrote the
 * Lease first) is the normal outcome of a contested round and only a debug line; a refusal (403: the Role is missing)
 * or an unreachable API server is a warning, not one per retry period.
 */
final class LeaseProblems {

    private static final Logger LOG = LoggerFactory.getLogger("falco-talon.replicas");

    private final String lease;
    private String last;

    LeaseProblems(String lease) {
        this.lease = lease;
    }

    synchronized void report(String operation, KubernetesClientException e) {
        if (e.getCode() == 409) {
            LOG.debug("{}: {} lost to another replica's write (409)", lease, operation);
            return;
        }
        String kind = operation + ":" + e.getCode();
        if (!kind.equals(last)) {
            last = kind;
            LOG.warn("{}: cannot {} it ({}); retrying every retry period", lease, operation, describe(e));
        }
    }

    synchronized void clear() {
        if (last != null) {
            LOG.info("{}: reachable again", lease);
            last = null;
        }
    }

    static String describe(KubernetesClientException e) {
        if (e.getCode() <= 0) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            return "API server unreachable: " + root.getClass().getSimpleName();
        }
        return "HTTP " + e.getCode() + (e.getStatus() != null && e.getStatus().getReason() != null
                ? " " + e.getStatus().getReason() : "");
    }
}
