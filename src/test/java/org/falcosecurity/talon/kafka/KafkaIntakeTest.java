package org.falcosecurity.talon.kafka;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.falcosecurity.talon.intake.IntakeException;
import org.falcosecurity.talon.ops.TalonCounters;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** What the intake answers when the broker cannot take an event. */
class KafkaIntakeTest {

    private final TalonCounters counters = new TalonCounters();

    private Exchange failedWith(Throwable t) {
        Exchange e = new DefaultExchange(new DefaultCamelContext());
        e.setProperty(Exchange.EXCEPTION_CAUGHT, t);
        return e;
    }

    @Test
    void aBrokerThatCannotTakeItIs503WithRetryAfterThenACoolDownThenATryAgain() throws Exception {
        KafkaIntake intake = new KafkaIntake(counters, TimeUnit.SECONDS.toNanos(3), org.falcosecurity.talon.telemetry.Tracing.disabled());
        Exchange e = failedWith(new org.apache.camel.RuntimeCamelException(new TimeoutException("Expiring 1 record")));
        assertThatThrownBy(() -> intake.failed(e)).isInstanceOfSatisfying(IntakeException.class, x -> {
            assertThat(x.getStatus()).isEqualTo(503);
            assertThat(x.getRetryAfterSeconds()).isEqualTo(1);
            assertThat(x.getJson()).contains("\"error\":\"unavailable\"").doesNotContain("Expiring");
        });
        // refused at once during the cool-down, tried again after it
        assertThatThrownBy(() -> intake.checkAvailable(e)).isInstanceOf(IntakeException.class);
        await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
            try {
                intake.checkAvailable(e);
                return true;
            } catch (IntakeException refused) {
                return false;
            }
        });
    }

    @Test
    void aRecordTooLargeForTheTopicIs413AndNoCoolDown() throws Exception {
        KafkaIntake intake = new KafkaIntake(counters, org.falcosecurity.talon.telemetry.Tracing.disabled());
        Exchange e = failedWith(new RecordTooLargeException("too big"));
        assertThatThrownBy(() -> intake.failed(e)).isInstanceOfSatisfying(IntakeException.class,
                x -> assertThat(x.getStatus()).isEqualTo(413));
        intake.checkAvailable(e);
    }
}
