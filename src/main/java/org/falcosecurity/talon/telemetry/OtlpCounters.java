package org.falcosecurity.talon.telemetry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import org.falcosecurity.talon.config.Settings;
import org.falcosecurity.talon.ops.TalonCounters;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code otel.metrics_enabled}: Talon's counters ({@code falco_talon_*} and upstream's {@code
 * falcosecurity_falco_talon_*}, the same values {@code /metrics} serves) pushed to the collector by OTLP/gRPC every
 * interval, as cumulative sums with their labels as attributes. Each counter of the Micrometer registry is read by
 * an observable OpenTelemetry counter of the same name, registered when Micrometer first sees it; nothing is counted
 * twice and nothing is kept but the callbacks.
 */
public final class OtlpCounters implements AutoCloseable {

    private static final String UPSTREAM_PREFIX = "falcosecurity_falco_talon_";

    private final SdkMeterProvider provider;
    private final io.opentelemetry.api.metrics.Meter meter;
    private final MeterRegistry registry;
    private final Set<String> observed = ConcurrentHashMap.newKeySet();

    private OtlpCounters(SdkMeterProvider provider, MeterRegistry registry) {
        this.provider = provider;
        this.meter = provider.get("falco-talon");
        this.registry = registry;
        registry.config().onMeterAdded(this::observe);
        registry.getMeters().forEach(this::observe);
    }

    /** Pushes the counters of {@code registry}, or returns {@code null} when {@code otel.metrics_enabled} is off. */
    public static OtlpCounters create(Settings.Otel otel, int intervalMs, String instance, MeterRegistry registry) {
        if (!otel.metricsEnabled()) {
            return null;
        }
        OtlpGrpcMetricExporter exporter = OtlpGrpcMetricExporter.builder()
                .setEndpoint(Collector.endpoint(otel))
                .setTimeout(Duration.ofSeconds(otel.timeout()))
                .setRetryPolicy(Collector.retries())
                .build();
        SdkMeterProvider provider = SdkMeterProvider.builder()
                .setResource(Collector.resource(instance))
                .registerMetricReader(PeriodicMetricReader.builder(exporter)
                        .setInterval(Duration.ofMillis(intervalMs)).build())
                .build();
        return new OtlpCounters(provider, registry);
    }

    private void observe(Meter m) {
        String name = m.getId().getName();
        if (!(m instanceof Counter) || !(name.startsWith(TalonCounters.PREFIX) || name.startsWith(UPSTREAM_PREFIX))
                || !observed.add(name)) {
            return;
        }
        var b = meter.counterBuilder(name).ofDoubles();
        if (m.getId().getDescription() != null) {
            b.setDescription(m.getId().getDescription());
        }
        b.buildWithCallback(measurement -> {
            for (Counter c : registry.find(name).counters()) {
                measurement.record(c.count(), attributes(c));
            }
        });
    }

    private static Attributes attributes(Counter c) {
        AttributesBuilder a = Attributes.builder();
        for (Tag t : c.getId().getTags()) {
            a.put(t.getKey(), t.getValue());
        }
        return a.build();
    }

    /** Pushes now (tests; shutdown). */
    public void flush() {
        provider.forceFlush().join(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        provider.shutdown().join(10, TimeUnit.SECONDS);
    }
}
