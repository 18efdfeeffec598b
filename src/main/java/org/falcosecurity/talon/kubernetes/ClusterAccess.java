package org.falcosecurity.talon.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.falcosecurity.talon.contract.ActionStop;

import java.util.function.Supplier;

/**
 * The shared client, handed out only when a cluster is configured: with none, every Kubernetes action is a
 * failure that says so (dry runs never get here).
 */
public final class ClusterAccess {

    public static final String NOT_CONFIGURED = "no Kubernetes cluster is configured (set kubeconfig in the config, set"
            + " KUBECONFIG, or run Talon in a pod with a service account): Talon refuses Kubernetes actions that"
            + " are not dry runs";

    private final Supplier<KubernetesClients.Connection> connection;

    public ClusterAccess(Supplier<KubernetesClients.Connection> connection) {
        this.connection = connection;
    }

    public boolean configured() {
        return connection.get().configured();
    }

    /** The client; an {@link ActionStop} failure when no cluster is configured. */
    public KubernetesClient client() {
        KubernetesClients.Connection c = connection.get();
        if (!c.configured()) {
            throw ActionStop.failure(NOT_CONFIGURED);
        }
        return c.client();
    }
}
