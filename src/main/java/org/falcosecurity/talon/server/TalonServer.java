package org.falcosecurity.talon.server;

import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.falcosecurity.talon.config.RouteFiles;
import org.falcosecurity.talon.config.RuleFiles;
import org.falcosecurity.talon.config.TalonConfig;
import org.falcosecurity.talon.intake.IntakeToken;
import org.falcosecurity.talon.notifiers.NotifierProperties;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds and runs the Camel Main application for a config and a set of rule files: the same code path for
 * {@code falco-talon server} and for the tests, which start it in-process on a free port.
 */
public final class TalonServer implements AutoCloseable {

    private final Main main;
    private final TalonRuntime runtime;
    private final TalonStartup startup;

    private TalonServer(Main main, TalonRuntime runtime, TalonStartup startup) {
        this.main = main;
        this.runtime = runtime;
        this.startup = startup;
    }

    /**
     * Prepares a server.
     *
     * @param extraProperties Camel properties that override {@code application.properties} (tests use it)
     */
    public static TalonServer create(TalonConfig config, RuleFiles rules, Map<String, String> extraProperties)
            throws IOException {
        TalonRuntime runtime = new TalonRuntime(config, rules);
        Main main = new Main();
        main.configure().setBasePackageScanEnabled(false);
        main.bind("talonRuntime", runtime);
        // bound before Camel starts, so camel-micrometer-prometheus serves this registry at /metrics
        main.bind("metricsRegistry", runtime.meterRegistry());
        runtime.bindJvmMeters();
        main.bind("talonHttpServerFactory", new TalonHttpServer.Factory(config.tls().clientAuth(),
                config.auth().protectMetrics() ? IntakeToken.of(config.authToken()) : null));
        main.configure().addConfiguration(TalonConfiguration.class);
        // classpath copy first, then a file in the working directory overrides it key by key
        main.setPropertyPlaceholderLocations(
                "classpath:application.properties;optional=true,file:application.properties;optional=true");

        Map<String, String> props = new LinkedHashMap<>(config.asProperties());
        props.putAll(NotifierProperties.of(config));
        props.put("camel.main.routes-include-pattern",
                RouteFiles.resolve(Path.of(config.routesDirectory())).includePattern());
        props.put("camel.server.enabled", "true");
        props.put("camel.server.host", config.listenAddress());
        props.put("camel.server.port", String.valueOf(config.listenPort()));
        props.put("camel.server.max-body-size", String.valueOf(config.maxBodyBytes()));
        // /metrics, /observe/health share the intake's server: a different management host or port breaks
        // platform-http in Camel 4.17
        props.put("camel.management.host", config.listenAddress());
        props.put("camel.management.port", String.valueOf(config.listenPort()));
        props.putAll(tlsProperties(config));
        props.putAll(extraProperties);
        props.forEach(main::addOverrideProperty);

        TalonStartup startup = new TalonStartup(runtime);
        main.addMainListener(startup);
        return new TalonServer(main, runtime, startup);
    }

    /** HTTPS (and mutual TLS) on the intake, from the tls.* settings, through Camel's global SSL configuration. */
    static Map<String, String> tlsProperties(TalonConfig config) {
        Map<String, String> p = new LinkedHashMap<>();
        String keystore = config.tls().keystore();
        if (keystore.isEmpty()) {
            return p;
        }
        p.put("camel.ssl.enabled", "true");
        p.put("camel.ssl.key-store", "file:" + keystore);
        p.put("camel.ssl.key-store-type", "PKCS12");
        p.put("camel.ssl.keystore-password", config.tls().keystorePassword());
        String truststore = config.tls().truststore();
        if (!truststore.isEmpty()) {
            p.put("camel.ssl.trust-store", "file:" + truststore);
            p.put("camel.ssl.trust-store-password", config.tls().truststorePassword());
        }
        p.put("camel.ssl.client-authentication", config.tls().clientAuth().toUpperCase(java.util.Locale.ROOT));
        p.put("camel.server.use-global-ssl-context-parameters", "true");
        return p;
    }

    /** Starts Camel and returns once the routes run; throws {@link TalonStartupException} on invalid rules. */
    public TalonServer start() throws Exception {
        try {
            main.start();
        } catch (Exception e) {
            Throwable t = e;
            while (t != null) {
                if (t instanceof TalonStartupException tse) {
                    safeStop();
                    throw tse;
                }
                t = t.getCause();
            }
            safeStop();
            throw e;
        }
        startup.afterStart(main);
        return this;
    }

    /** Binds a bean before start (extensions, tests). */
    public void bind(String name, Object bean) {
        main.bind(name, bean);
    }

    /**
     * Runs until asked to stop (SIGTERM, SIGINT / Ctrl-C), then shuts down gracefully and returns. The signals end
     * the run itself rather than the JVM: a JVM ended by a signal exits 128 + its number (143 for SIGTERM) even after
     * a clean shutdown, which Kubernetes reports as an error (reason Error); returning lets {@code server} exit 0.
     */
    public void runUntilStopped() throws Exception {
        for (String name : new String[] {"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> main.completed());
        }
        main.run();
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public TalonRuntime runtime() {
        return runtime;
    }

    public RulesReloader reloader() {
        return startup.reloader();
    }

    /** The port the intake listens on. */
    public int port() {
        return runtime.config().listenPort();
    }

    private void safeStop() {
        try {
            main.stop();
        } catch (Exception ignored) {
            // already failing
        }
    }

    @Override
    public void close() {
        startup.beforeStop(main);
        safeStop();
        startup.afterStop(main);
    }
}
