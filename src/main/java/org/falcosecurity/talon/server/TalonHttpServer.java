package org.falcosecurity.talon.server;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import org.apache.camel.CamelContext;
import org.apache.camel.Service;
import org.apache.camel.component.platform.http.main.DefaultMainHttpServerFactory;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.component.vertx.common.VertxHelper;
import org.apache.camel.main.HttpManagementServerConfigurationProperties;
import org.apache.camel.main.HttpServerConfigurationProperties;
import org.apache.camel.main.MainHttpServerFactory;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.falcosecurity.talon.intake.IntakeToken;

import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The embedded HTTP server of the intake: Camel's Vert.x platform-http server, plus what Talon needs and Camel's
 * main server does not offer — mutual TLS ({@code tls.client_auth}), the intake's token in front of {@code /metrics}
 * ({@code auth.protect_metrics}), health answers that a query cannot turn verbose — and minus what it must not do
 * (store multipart uploads in a temp directory).
 *
 * <p>The guards are routes of the same Vert.x router, ordered before every other, so they see a request path exactly
 * as the routes behind them match it ({@code /metrics/}, {@code //metrics} and {@code /./metrics} included).
 */
public class TalonHttpServer extends VertxPlatformHttpServer {

    private final VertxPlatformHttpServerConfiguration configuration;
    private final ClientAuth clientAuth;
    private final IntakeToken metricsToken;
    private HttpServer http;
    private boolean ownsVertx;

    /** @param metricsToken the token {@code /metrics} requires, or {@code null} when it is open */
    public TalonHttpServer(VertxPlatformHttpServerConfiguration configuration, ClientAuth clientAuth,
                           IntakeToken metricsToken) {
        super(configuration);
        this.configuration = configuration;
        this.clientAuth = clientAuth;
        this.metricsToken = metricsToken;
    }

    @Override
    protected void startServer() throws Exception {
        HttpServerOptions options = new HttpServerOptions();
        CamelContext camel = getCamelContext();
        SSLContextParameters ssl = configuration.getSslContextParameters() != null
                ? configuration.getSslContextParameters()
                : configuration.isUseGlobalSslContextParameters() ? camel.getSSLContextParameters() : null;
        if (ssl != null) {
            VertxHelper.setupSSLOptions(camel, ssl, options);
            options.setClientAuth(clientAuth);
        }
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(camel,
                VertxPlatformHttpRouter.getRouterNameFromPort(configuration.getPort()));
        guard(router, camel);
        ownsVertx = lookupVertx() == null;
        http = getVertx().createHttpServer(options).requestHandler(router);
        http.listen(configuration.getBindPort(), configuration.getBindHost())
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /**
     * {@code /metrics} behind the token when it is protected; {@code /observe/health} (Camel's management endpoint,
     * which lets a query pick {@code exposureLevel}, {@code stackTrace} and {@code data}) held to the configured
     * {@code camel.health.exposure-level}: with the packaged {@code oneline}, it says UP or DOWN and nothing else.
     */
    private void guard(VertxPlatformHttpRouter router, CamelContext camel) {
        var props = camel.getPropertiesComponent();
        if (metricsToken != null && metricsToken.required()) {
            String metrics = props.resolveProperty("camel.metrics.path").orElse("/observe/metrics");
            router.routeWithRegex(Pattern.quote(metrics) + "(/.*)?").order(Integer.MIN_VALUE).handler(ctx -> {
                if (metricsToken.accepts(ctx.request().getHeader("Authorization"))) {
                    ctx.next();
                } else {
                    ctx.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer")
                            .putHeader("Content-Type", "application/json")
                            .end("{\"error\":\"unauthorized\",\"message\":\"unauthorized\"}");
                }
            });
        }
        // a stopping Talon has removed its routes before it closes the port: what arrives meanwhile is refused as
        // "try again" (another replica takes it), never a 404 the sender would not retry
        router.route().order(Integer.MAX_VALUE).handler(ctx -> {
            if (camel.isStopping() || camel.isStopped()) {
                ctx.response().setStatusCode(503).putHeader("Retry-After", "1")
                        .putHeader("Content-Type", "application/json")
                        .end("{\"error\":\"stopping\",\"message\":\"Talon is stopping: send again\"}");
            } else {
                ctx.next();
            }
        });
        String health = props.resolveProperty("camel.management.health-path").orElse("/observe/health");
        router.routeWithRegex(Pattern.quote(health) + "(/.*)?").order(Integer.MIN_VALUE + 1).handler(ctx -> {
            // Camel reads these with getParam, from the request's (mutable, cached) parameter map
            ctx.request().params().remove("exposureLevel").remove("stackTrace").remove("data");
            ctx.next();
        });
    }

    @Override
    protected void stopServer() {
        if (http != null) {
            getCamelContext().removeComponent("platform-http");
            try {
                http.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // stopping anyway
            }
            http = null;
        }
    }

    @Override
    protected void stopVertx() {
        if (ownsVertx && getVertx() != null) {
            try {
                getVertx().close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // stopping anyway
            }
        }
    }

    @Override
    public HttpServer getServer() {
        return http;
    }

    @Override
    public int getPort() {
        return http != null ? http.actualPort() : configuration.getPort();
    }

    /** Makes Camel Main create a {@link TalonHttpServer} for {@code camel.server.*}. */
    public static class Factory implements MainHttpServerFactory {

        private final ClientAuth clientAuth;
        private final IntakeToken metricsToken;

        /**
         * @param clientAuth   {@code none}, {@code want} or {@code require}
         * @param metricsToken the token {@code /metrics} requires, or {@code null} when it is open
         */
        public Factory(String clientAuth, IntakeToken metricsToken) {
            this.metricsToken = metricsToken;
            this.clientAuth = switch (clientAuth) {
                case "require" -> ClientAuth.REQUIRED;
                case "want" -> ClientAuth.REQUEST;
                default -> ClientAuth.NONE;
            };
        }

        @Override
        public Service newHttpServer(CamelContext camelContext, HttpServerConfigurationProperties properties) {
            VertxPlatformHttpServerConfiguration c = new VertxPlatformHttpServerConfiguration();
            c.setBindHost(properties.getHost());
            c.setBindPort(properties.getPort());
            c.setPath(properties.getPath());
            c.setMaxBodySize(properties.getMaxBodySize());
            c.setUseGlobalSslContextParameters(properties.isUseGlobalSslContextParameters());
            c.getBodyHandler().setHandleFileUploads(false);
            TalonHttpServer server = new TalonHttpServer(c, clientAuth, metricsToken);
            server.setCamelContext(camelContext);
            return server;
        }

        @Override
        public Service newHttpManagementServer(CamelContext camelContext,
                                               HttpManagementServerConfigurationProperties properties) {
            DefaultMainHttpServerFactory d = new DefaultMainHttpServerFactory();
            d.setCamelContext(camelContext);
            return d.newHttpManagementServer(camelContext, properties);
        }
    }
}
