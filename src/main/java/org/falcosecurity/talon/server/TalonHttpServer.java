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

import java.util.concurrent.TimeUnit;

/**
 * The embedded HTTP server of the intake: Camel's Vert.x platform-http server, plus what Talon needs and Camel's
 * main server does not offer — mutual TLS ({@code tls.client_auth}) — and minus what it must not do (store
 * multipart uploads in a temp directory).
 */
public class TalonHttpServer extends VertxPlatformHttpServer {

    private final VertxPlatformHttpServerConfiguration configuration;
    private final ClientAuth clientAuth;
    private HttpServer http;
    private boolean ownsVertx;

    public TalonHttpServer(VertxPlatformHttpServerConfiguration configuration, ClientAuth clientAuth) {
        super(configuration);
        this.configuration = configuration;
        this.clientAuth = clientAuth;
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
        ownsVertx = lookupVertx() == null;
        http = getVertx().createHttpServer(options).requestHandler(router);
        http.listen(configuration.getBindPort(), configuration.getBindHost())
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
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

        /** @param clientAuth {@code none}, {@code want} or {@code require} */
        public Factory(String clientAuth) {
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
            TalonHttpServer server = new TalonHttpServer(c, clientAuth);
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
