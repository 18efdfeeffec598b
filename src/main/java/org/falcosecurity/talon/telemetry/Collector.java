package org.falcosecurity.talon.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.resources.Resource;
import org.falcosecurity.talon.config.Settings;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Properties;

/** Where traces and metrics go ({@code otel.*}), and who sends them (the resource every span and metric names). */
final class Collector {

    private Collector() {
    }

    /** {@code http(s)://host:port}: plain gRPC only with {@code otel.collector_use_insecure_grpc}, as upstream. */
    static String endpoint(Settings.Otel otel) {
        String host = otel.collectorEndpoint().contains(":") && !otel.collectorEndpoint().startsWith("[")
                ? "[" + otel.collectorEndpoint() + "]" : otel.collectorEndpoint();
        return (otel.collectorUseInsecureGrpc() ? "http://" : "https://") + host + ":" + otel.collectorPort();
    }

    /** Upstream's: a few quick retries, never for long (the queue holds what comes meanwhile). */
    static RetryPolicy retries() {
        return RetryPolicy.builder().setMaxAttempts(3).setInitialBackoff(Duration.ofMillis(500))
                .setMaxBackoff(Duration.ofSeconds(2)).build();
    }

    /** service.name falco-talon, service.version, service.instance.id (the replica's name). */
    static Resource resource(String instance) {
        return Resource.getDefault().merge(Resource.create(Attributes.of(
                AttributeKey.stringKey("service.name"), "falco-talon",
                AttributeKey.stringKey("service.version"), version(),
                AttributeKey.stringKey("service.instance.id"), instance)));
    }

    static String version() {
        Properties p = new Properties();
        try (InputStream in = Collector.class.getClassLoader().getResourceAsStream("falco-talon-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // unknown version
        }
        return p.getProperty("version", "unknown");
    }
}
