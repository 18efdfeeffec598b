package org.falcosecurity.talon.ops;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.appender.AsyncAppender;
import org.apache.logging.log4j.core.config.AppenderRef;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.ConfigurationFactory;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.DefaultConfiguration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The server's asynchronous log: the packaged configurations send every line through a bounded async appender, and
 * when its queue is full log4j2 asks {@link LogQueuePolicy} (named in {@code log4j2.component.properties}): INFO
 * lines are dropped and counted, a WARN waits for room and is written.
 */
class AsyncLogQueueTest {

    private static final int QUEUE = 8;

    /** An appender whose writes wait until the test lets them go, so the async queue in front of it fills up. */
    private static final class HeldAppender extends AbstractAppender {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final List<String> written = new CopyOnWriteArrayList<>();

        HeldAppender() {
            super("held", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            written.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
        }
    }

    @Test
    void aFullQueueDropsAndCountsInfoLinesButNeverAWarning() throws Exception {
        LoggerContext ctx = new LoggerContext("async-log-queue-test");
        Configuration cfg = new DefaultConfiguration();
        HeldAppender held = new HeldAppender();
        held.start();
        cfg.addAppender(held);
        AsyncAppender async = AsyncAppender.newBuilder().setName("async").setConfiguration(cfg)
                .setAppenderRefs(new AppenderRef[] {AppenderRef.createAppenderRef("held", null, null)})
                .setBufferSize(QUEUE).build();
        cfg.addAppender(async); // started with the configuration (a second start would add a second writer thread)
        LoggerConfig events = new LoggerConfig("falco-talon.events", Level.INFO, false);
        events.addAppender(async, null, null);
        cfg.addLogger("falco-talon.events", events);
        ctx.start(cfg);
        try {
            Logger log = ctx.getLogger("falco-talon.events");
            long droppedBefore = LogQueuePolicy.dropped();

            log.info("line 0");
            // the writer thread holds line 0: from now on the queue only fills
            assertThat(held.entered.await(20, TimeUnit.SECONDS)).isTrue();
            for (int i = 1; i <= QUEUE + 5; i++) {
                log.info("line {}", i);
            }
            // QUEUE lines wait, the 5 after them are dropped and counted; the caller never waited
            assertThat(LogQueuePolicy.dropped() - droppedBefore).isEqualTo(5);

            Thread warner = new Thread(() -> log.warn("the notifier's queue is full"));
            warner.start();
            // the warning is not dropped: its thread waits for room in the queue
            await().atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> warner.getState() == Thread.State.WAITING
                            || warner.getState() == Thread.State.TIMED_WAITING);
            assertThat(LogQueuePolicy.dropped() - droppedBefore).isEqualTo(5);

            held.release.countDown();
            warner.join(20_000);
            assertThat(warner.isAlive()).isFalse();
        } finally {
            held.release.countDown();
            ctx.stop();
        }
        // stopping drained the queue: line 0, the QUEUE lines that waited, then the warning
        assertThat(held.written).hasSize(QUEUE + 2);
        assertThat(held.written.get(0)).isEqualTo("INFO line 0");
        assertThat(held.written.get(QUEUE)).isEqualTo("INFO line " + QUEUE);
        assertThat(held.written.get(QUEUE + 1)).isEqualTo("WARN the notifier's queue is full");
        assertThat(held.written).noneMatch(l -> l.matches("INFO line (9|1[0-3])"));
    }

    @Test
    void everyServerLogFormatWritesThroughTheBoundedAsyncAppender() throws Exception {
        for (String file : List.of("log4j2-color.xml", "log4j2-text.xml", "log4j2-json.xml")) {
            LoggerContext ctx = new LoggerContext("async-" + file);
            try {
                Configuration cfg = ConfigurationFactory.getInstance().getConfiguration(ctx,
                        ConfigurationSource.fromResource(file, AsyncLogQueueTest.class.getClassLoader()));
                cfg.initialize();
                assertThat(cfg.getRootLogger().getAppenders()).as(file).containsOnlyKeys("async");
                Appender a = cfg.getAppenders().get("async");
                assertThat(a).as(file).isInstanceOf(AsyncAppender.class);
                AsyncAppender async = (AsyncAppender) a;
                assertThat(async.getAppenderRefStrings()).as(file).containsExactly("out");
                assertThat(async.getQueueCapacity()).as(file).isEqualTo(4096);
                // log4j2 blocks the caller when full unless the queue-full policy routes the line elsewhere
                assertThat(async.isBlocking()).as(file).isTrue();
            } finally {
                ctx.stop();
            }
        }
    }
}
