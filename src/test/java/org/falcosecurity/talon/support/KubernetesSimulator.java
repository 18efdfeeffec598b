package org.falcosecurity.talon.support;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The set-up the {@code *SimulatorTest} classes share, as a JUnit 5 extension: fabric8's Kubernetes API simulator
 * and a client on it for the test class, optionally the real Talon ({@link TalonTestServer}) running on that client,
 * and optionally a clean simulator before each test.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KubernetesSimulator k8s = KubernetesSimulator.crud().withTalon(RULES).resetBeforeEach();
 * }</pre>
 *
 * Started before the class's own {@code @BeforeAll} methods, stopped after its {@code @AfterAll} methods (Talon first,
 * then the client, then the simulator).
 */
public final class KubernetesSimulator implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

    /** What the actionner tests run Talon with: no line per event, every event processed (no deduplication). */
    public static final String ACTIONNER_TEST_CONFIG = "print_all_events: false\ndeduplication:\n"
            + "  time_window_seconds: 0\n";

    private final boolean crud;
    private Function<String, KubernetesClient> clientFactory;
    private Consumer<TalonTestServer.Builder> talonSetup;
    private boolean resetBeforeEach;

    private KubernetesMockServer server;
    private KubernetesClient client;
    private TalonTestServer talon;

    private KubernetesSimulator(boolean crud) {
        this.crud = crud;
    }

    /** The simulator in CRUD mode: it keeps the objects created on it (plus any expectations a test adds). */
    public static KubernetesSimulator crud() {
        return new KubernetesSimulator(true);
    }

    /** The simulator in expectations mode: it answers only what a test told it to (and {@code /version}). */
    public static KubernetesSimulator expectations() {
        return new KubernetesSimulator(false);
    }

    /** The client Talon and the test use, built from the simulator's URL (default: the simulator's own client). */
    public KubernetesSimulator client(Function<String, KubernetesClient> factory) {
        this.clientFactory = factory;
        return this;
    }

    /**
     * Talon started on the client before the class's tests, with {@link #ACTIONNER_TEST_CONFIG} and these rules.
     */
    public KubernetesSimulator withTalon(String rules) {
        return withTalon(b -> b.rules(rules));
    }

    /**
     * Talon started on the client before the class's tests, with {@link #ACTIONNER_TEST_CONFIG} unless
     * {@code setup} gives another config; {@code setup} adds the rules, properties, routes, beans.
     */
    public KubernetesSimulator withTalon(Consumer<TalonTestServer.Builder> setup) {
        this.talonSetup = setup;
        return this;
    }

    /** Clears the simulator's objects, expectations and recorded requests before each test. */
    public KubernetesSimulator resetBeforeEach() {
        this.resetBeforeEach = true;
        return this;
    }

    public KubernetesMockServer server() {
        return server;
    }

    public KubernetesClient client() {
        return client;
    }

    /** The running Talon ({@link #withTalon}). */
    public TalonTestServer talon() {
        if (talon == null) {
            throw new IllegalStateException("no Talon: register the simulator withTalon(...)");
        }
        return talon;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        // as fabric8's @EnableKubernetesMockClient builds it
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(), responses,
                crud ? new KubernetesMixedDispatcher(responses) : new MockDispatcher(responses), false);
        server.init();
        client = clientFactory == null ? server.createClient() : clientFactory.apply(server.url("/"));
        if (talonSetup != null) {
            TalonTestServer.Builder b = TalonTestServer.builder().config(ACTIONNER_TEST_CONFIG)
                    .kubernetesClient(client);
            talonSetup.accept(b);
            talon = b.start();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (resetBeforeEach) {
            server.reset();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (talon != null) {
                talon.close();
            }
        } finally {
            talon = null;
            client.close();
            server.destroy();
        }
    }
}
