package org.falcosecurity.talon.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

import java.util.List;

/**
 * The JVM's meters on {@code /metrics} ({@code jvm_memory_*}, {@code jvm_gc_*}, {@code jvm_threads_*},
 * {@code process_*}, ...), bound from Java rather than through {@code camel.metrics.binders}: Camel finds the
 * binders named there by reading a Jandex index of the whole class path at startup, which costs more than
 * binding the eight directly.
 */
public final class JvmMeters implements AutoCloseable {

    private final List<MeterBinder> binders = List.of(new JvmInfoMetrics(), new JvmMemoryMetrics(),
            new JvmGcMetrics(), new JvmThreadMetrics(), new ClassLoaderMetrics(), new ProcessorMetrics(),
            new UptimeMetrics(), new FileDescriptorMetrics());

    public JvmMeters bindTo(MeterRegistry registry) {
        binders.forEach(b -> b.bindTo(registry));
        return this;
    }

    /** Stops listening to the collector's notifications. */
    @Override
    public void close() {
        for (MeterBinder b : binders) {
            if (b instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // nothing to do at shutdown
                }
            }
        }
    }
}
