package org.falcosecurity.talon.support;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A test server's start is tried again only when its port was taken, at most three times in all. */
class PortRaceTest {

    private static final String TAKEN = "the broker did not start:\nBindException: Address already in use";

    @Test
    void aTakenPortIsTriedAgainUntilTheServerStarts() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        assertThat(PortRace.retry(() -> {
            if (calls.incrementAndGet() < 3) {
                throw new IllegalStateException(TAKEN);
            }
            return "started";
        })).isEqualTo("started");
        assertThat(calls).hasValue(3);
    }

    @Test
    void aThirdTakenPortAndAnyOtherFailureAreNotTriedAgain() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> PortRace.retry(() -> {
            calls.incrementAndGet();
            throw new IllegalStateException(TAKEN);
        })).hasMessageContaining("Address already in use");
        assertThat(calls).hasValue(3);

        calls.set(0);
        assertThatThrownBy(() -> PortRace.retry(() -> {
            calls.incrementAndGet();
            throw new IllegalStateException("the node did not start: out of memory");
        })).hasMessageContaining("out of memory");
        assertThat(calls).hasValue(1);
    }
}
