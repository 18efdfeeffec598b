package org.falcosecurity.talon.telemetry;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.falcosecurity.talon.ops.TalonCounters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands ended spans to the OTLP exporter through a bounded queue and one exporting thread, so a slow or unreachable
 * collector never slows the routes: {@link #onEnd} never waits; a span that finds the queue full is dropped and
 * counted ({@code falco_talon_otel_spans_total{status="dropped"}}), as are spans an export failed to deliver
 * ({@code status="failed"}) and those it delivered ({@code status="exported"}). An export failure is logged once,
 * and again when exports work again.
 *
 * <p>The SDK's {@code BatchSpanProcessor} does the same but keeps its drop count in its own meter provider; this
 * one counts them where Talon's other losses are counted.
 */
final class SpanQueue implements SpanProcessor {

    private static final Logger LOG = LoggerFactory.getLogger("falco-talon.telemetry");

    private final SpanExporter exporter;
    private final TalonCounters counters;
    private final BlockingQueue<SpanData> queue;
    private final int batchSize;
    private final long delayMillis;
    private final Duration exportTimeout;
    private final Thread worker;
    /** Spans taken in and not yet exported (or failed): {@link #forceFlush} waits for none. */
    private final AtomicLong pending = new AtomicLong();
    private final Object idle = new Object();
    private volatile boolean stopped;
    private volatile boolean failing;

    SpanQueue(SpanExporter exporter, TalonCounters counters, int capacity, int batchSize, long delayMillis,
              Duration exportTimeout) {
        this.exporter = exporter;
        this.counters = counters;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.batchSize = batchSize;
        this.delayMillis = delayMillis;
        this.exportTimeout = exportTimeout;
        this.worker = new Thread(this::run, "falco-talon-otel-export");
        worker.setDaemon(true);
        worker.start();
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
    }

    @Override
    public boolean isStartRequired() {
        return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {
        if (!span.getSpanContext().isSampled()) {
            return;
        }
        pending.incrementAndGet();
        if (stopped || !queue.offer(span.toSpanData())) {
            pending.decrementAndGet();
            count("dropped", 1);
        }
    }

    @Override
    public boolean isEndRequired() {
        return true;
    }

    private void run() {
        List<SpanData> batch = new ArrayList<>(batchSize);
        while (!stopped || !queue.isEmpty()) {
            try {
                SpanData first = queue.poll(delayMillis, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, batchSize - 1);
                }
            } catch (InterruptedException e) {
                // shutdown: export what is left, then stop
                queue.drainTo(batch);
            }
            if (!batch.isEmpty()) {
                export(batch);
                pending.addAndGet(-batch.size());
                batch.clear();
            }
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    private void export(List<SpanData> batch) {
        CompletableResultCode result;
        try {
            result = exporter.export(new ArrayList<>(batch)).join(exportTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            result = CompletableResultCode.ofFailure();
        }
        if (result.isSuccess()) {
            count("exported", batch.size());
            if (failing) {
                failing = false;
                LOG.info("spans reach the OpenTelemetry collector again");
            }
        } else {
            count("failed", batch.size());
            if (!failing) {
                failing = true;
                LOG.warn("cannot export spans to the OpenTelemetry collector: {} span(s) lost, and the next ones"
                        + " until it answers (falco_talon_otel_spans_total{status=\"failed\"})", batch.size());
            }
        }
    }

    private void count(String status, int n) {
        counters.registry().counter(TalonCounters.PREFIX + "otel_spans", "status", status).increment(n);
    }

    /** Waits until every span taken in so far was exported (or failed), at most the export timeout. */
    @Override
    public CompletableResultCode forceFlush() {
        long deadline = System.nanoTime() + exportTimeout.toNanos() + TimeUnit.MILLISECONDS.toNanos(delayMillis);
        synchronized (idle) {
            while (pending.get() > 0) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || !worker.isAlive()) {
                    return CompletableResultCode.ofFailure();
                }
                try {
                    idle.wait(Math.min(left, delayMillis));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return CompletableResultCode.ofFailure();
                }
            }
        }
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        stopped = true;
        worker.interrupt();
        try {
            worker.join(exportTimeout.toMillis() + delayMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return exporter.shutdown();
    }
}
