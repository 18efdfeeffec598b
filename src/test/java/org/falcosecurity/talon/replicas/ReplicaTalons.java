package org.falcosecurity.talon.replicas;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import org.falcosecurity.talon.support.TalonTestServer;
import org.falcosecurity.talon.support.WebPods;

import java.net.InetAddress;
import java.util.HashMap;

/**
 * Talon replicas for the tests of several replicas: the same rules (label the event's pod, support/WebPods), each
 * with its own Kubernetes client on one fabric8 API simulator (CRUD mode: it stores the Lease and the ConfigMaps),
 * which can be stopped and started again on the same port with what it stored.
 */
final class ReplicaTalons {

    static final String TALON_NAMESPACE = "falco";

    static final String RULES = WebPods.LABEL_RULES;
    /** The intake token every replica of a test shares. */
    static final String SHARED_TOKEN = java.util.UUID.randomUUID().toString();

    private ReplicaTalons() {
    }

    /** The API simulator on a fixed port; {@link #stop} and {@link #start} keep what it stored (one dispatcher). */
    static final class Simulator implements AutoCloseable {
        private final KubernetesCrudDispatcher dispatcher = new KubernetesCrudDispatcher();
        private final int port = TalonTestServer.freePort();
        private KubernetesMockServer server;

        Simulator start() throws Exception {
            server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
            server.init(InetAddress.getByName("127.0.0.1"), port);
            return this;
        }

        void stop() {
            server.destroy();
        }

        String url() {
            return "http://127.0.0.1:" + port;
        }

        /** A client as Talon builds its own (no retries of its own, short timeouts). */
        KubernetesClient client() {
            return new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(url())
                    .withRequestRetryBackoffLimit(0).withConnectionTimeout(1000).withRequestTimeout(2000).build())
                    .build();
        }

        /** The test's own client: patient (a loaded machine), as the test sets up and checks. */
        KubernetesClient admin() {
            return new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(url())
                    .withConnectionTimeout(10000).withRequestTimeout(30000).build()).build();
        }

        @Override
        public void close() {
            server.destroy();
        }
    }

    /**
     * A replica named {@code name} that elects a leader with the others (short Lease timings: a leader that stopped
     * renewing loses the Lease within 6 s; long enough for a loaded test machine to renew in time).
     */
    static TalonTestServer.Builder replica(String name, KubernetesClient client, String extraConfig) {
        return TalonTestServer.builder()
                .config("""
                        print_all_events: false
                        workers: 2
                        deduplication:
                          time_window_seconds: 60
                        replicas:
                          namespace: %s
                          lease_duration_ms: 6000
                          renew_deadline_ms: 4000
                          retry_period_ms: 1000
                          forward_timeout_ms: 2000
                        %s
                        """.formatted(TALON_NAMESPACE, extraConfig))
                .rules(RULES)
                .env("DEDUPLICATION_LEADER_ELECTION", "true")
                .env("REPLICAS_IDENTITY", name)
                // the replicas of one Deployment share the intake's token (the chart's Secret): a follower forwards
                // with it, and the leader refuses a forward without it (401)
                .env("AUTH_TOKEN", SHARED_TOKEN)
                .property("talon.relay.retry-delay-ms", "100")
                .property("talon.kubernetes.retry-delay-ms", "50")
                .property("talon.kubernetes.max-retry-delay-ms", "200")
                .kubernetesClient(client);
    }

    /** The holder of the Lease as the simulator stores it (null: none). */
    static String holder(KubernetesClient client) {
        var lease = client.leases().inNamespace(TALON_NAMESPACE).withName("falco-talon").get();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }
}
