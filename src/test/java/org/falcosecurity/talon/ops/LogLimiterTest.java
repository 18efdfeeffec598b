package org.falcosecurity.talon.ops;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** One "queue is full" line per key (a notifier, the intake) and interval; the next line counts the drops that were not logged. */
class LogLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final LogLimiter limiter = new LogLimiter(100, now::get);

    @Test
    void theFirstDropIsLoggedTheNextOnesOfTheIntervalAreCountedForTheNextLine() {
        assertThat(limiter.admit("webhook")).isZero();
        assertThat(limiter.admit("webhook")).isEqualTo(-1);
        now.addAndGet(99);
        assertThat(limiter.admit("webhook")).isEqualTo(-1);
        now.addAndGet(1);
        assertThat(limiter.admit("webhook")).isEqualTo(2);
        assertThat(limiter.admit("webhook")).isEqualTo(-1);
        now.addAndGet(500);
        assertThat(limiter.admit("webhook")).isEqualTo(1);
    }

    @Test
    void eachNotifierHasItsOwnInterval() {
        assertThat(limiter.admit("webhook")).isZero();
        assertThat(limiter.admit("slack")).isZero();
        assertThat(limiter.admit("webhook")).isEqualTo(-1);
        assertThat(limiter.admit("slack")).isEqualTo(-1);
    }

    @Test
    void aClockThatWrapsAroundStillOpensTheNextInterval() {
        now.set(Long.MAX_VALUE - 10);
        assertThat(limiter.admit("file")).isZero();
        now.set(Long.MIN_VALUE + 95);
        assertThat(limiter.admit("file")).isEqualTo(0);
    }
}
