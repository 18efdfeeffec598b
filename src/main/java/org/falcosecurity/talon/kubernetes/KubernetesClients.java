package org.falcosecurity.talon.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The one fabric8 client Talon shares between camel-kubernetes endpoints ({@code kubernetesClient=#kubernetesClient})
 * and its own processors.
 *
 * <p>Where it connects: the {@code kubeconfig} setting when set; else the in-cluster service account when Talon runs
 * in a pod; else {@code $KUBECONFIG} or {@code ~/.kube/config}. When none exists the cluster is "not configured":
 * Kubernetes actions then fail with a message that says so (unless they are dry runs), and no client is created at
 * all (a fabric8 client starts its own Vert.x instance, HTTP client and SSL context: a third of a second and some
 * 2,000 classes at startup, for a cluster nobody configured).
 *
 * <p>The client itself never retries (its request retry limit is 0): the actionner routes retry what is worth
 * retrying (409, 429, 5xx, no connection) with back-off, and nothing else (routes/actionners-kubernetes.camel.yaml).
 */
public final class KubernetesClients {

    private KubernetesClients() {
    }

    /** A client and whether a cluster was actually found; with none found, there is no client. */
    public record Connection(KubernetesClient client, boolean configured, String description) {

        /** No cluster: no client either. */
        public static Connection notConfigured() {
            return new Connection(null, false, "no cluster configured");
        }

        /** The client; there is none when no cluster is configured ({@link ClusterAccess} says so to actions). */
        @Override
        public KubernetesClient client() {
            if (client == null) {
                throw new IllegalStateException(ClusterAccess.NOT_CONFIGURED);
            }
            return client;
        }

        /** Closes the client, if there is one. */
        public void close() {
            if (client != null) {
                client.close();
            }
        }
    }

    public static Connection connect(String kubeconfig, Map<String, String> env) throws IOException {
        if (kubeconfig != null && !kubeconfig.isBlank()) {
            Path p = Path.of(kubeconfig);
            if (!Files.isRegularFile(p)) {
                throw new IOException("kubeconfig " + kubeconfig + " not found");
            }
            Config c = Config.fromKubeconfig(null, Files.readString(p, StandardCharsets.UTF_8), p.toString());
            c.setRequestRetryBackoffLimit(0);
            return new Connection(new KubernetesClientBuilder().withConfig(c).build(), true,
                    "kubeconfig " + kubeconfig);
        }
        boolean inCluster = env.containsKey("KUBERNETES_SERVICE_HOST")
                && Files.exists(Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token"));
        String kc = env.get("KUBECONFIG");
        Path home = Path.of(System.getProperty("user.home"), ".kube", "config");
        boolean hasKubeconfig = (kc != null && !kc.isBlank() && Files.isRegularFile(Path.of(kc.split(java.io.File.pathSeparator)[0])))
                || Files.isRegularFile(home);
        if (!inCluster && !hasKubeconfig) {
            return Connection.notConfigured();
        }
        Config auto = Config.autoConfigure(null);
        auto.setRequestRetryBackoffLimit(0);
        KubernetesClient client = new KubernetesClientBuilder().withConfig(auto).build();
        if (inCluster) {
            return new Connection(client, true, "in-cluster service account");
        }
        return new Connection(client, true, kc != null && !kc.isBlank() ? "$KUBECONFIG" : home.toString());
    }
}
