package org.falcosecurity.talon.intake;

import org.apache.camel.Exchange;
import org.apache.camel.component.seda.SedaEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.Synchronization;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.falcosecurity.talon.contract.TalonHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The hand-off from the intake to a worker queue: what is queued, and where the event's completions go. */
class WorkerQueuesTest {

    private DefaultCamelContext context;
    private SedaEndpoint queue1;

    @BeforeEach
    void start() {
        context = new DefaultCamelContext();
        context.start();
        context.getEndpoint("seda:talon-events-0?size=5", SedaEndpoint.class).getQueue();
        queue1 = context.getEndpoint("seda:talon-events-1?size=1", SedaEndpoint.class);
        queue1.getQueue();
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    private Exchange accepted(int partition, Synchronization completion) {
        Exchange e = new DefaultExchange(context, org.apache.camel.ExchangePattern.InOut);
        e.getMessage().setBody(new byte[] {'{', '}'});
        e.getMessage().setHeader("X-Left", "v");
        e.setProperty(TalonHeaders.PROP_PARTITION, partition);
        e.setProperty(TalonHeaders.TRACE_ID, "t-" + partition);
        e.getExchangeExtension().addOnCompletion(completion);
        return e;
    }

    @Test
    void theQueuedEventIsANewExchangeWithTheBodyHeadersPropertiesAndCompletions() {
        Synchronization span = new SynchronizationAdapter();
        Exchange intake = accepted(1, span);
        new WorkerQueues(2, new WorkerQueues.Budget(Long.MAX_VALUE)).process(intake);

        assertThat(queue1.getQueue()).hasSize(1);
        Exchange queued = queue1.getQueue().peek();
        assertThat(queued).isNotSameAs(intake);
        assertThat(queued.getMessage()).isNotSameAs(intake.getMessage());
        assertThat(queued.getMessage().getBody()).isSameAs(intake.getMessage().getBody());
        assertThat(queued.getMessage().getHeader("X-Left")).isEqualTo("v");
        assertThat(queued.getProperty(TalonHeaders.TRACE_ID)).isEqualTo("t-1");
        assertThat(queued.getPattern()).isEqualTo(org.apache.camel.ExchangePattern.InOut);
        // the event's trace span ends when the worker is done with it, not when the sender has its answer
        assertThat(intake.getExchangeExtension().handoverCompletions()).isNull();
        // (and the release of the event's bytes)
        assertThat(queued.getExchangeExtension().handoverCompletions()).hasSize(2).contains(span);
    }

    @Test
    void aFullQueueIsQueueFullAndTheCompletionsStayWithTheIntakesExchange() {
        WorkerQueues queues = new WorkerQueues(2, new WorkerQueues.Budget(Long.MAX_VALUE));
        queues.process(accepted(1, new SynchronizationAdapter()));
        Synchronization span = new SynchronizationAdapter();
        Exchange refused = accepted(1, span);

        assertThatThrownBy(() -> queues.process(refused)).isInstanceOf(IllegalStateException.class)
                .hasMessage("Queue full");
        assertThat(queue1.getQueue()).hasSize(1);
        // the answer (429) completes the exchange: its span ends then, it is not lost with a copy nobody runs
        List<Synchronization> left = refused.getExchangeExtension().handoverCompletions();
        assertThat(left).containsExactly(span);
        // the other partition's queue still takes events
        queues.process(accepted(0, new SynchronizationAdapter()));
        assertThat(context.getEndpoint("seda:talon-events-0", SedaEndpoint.class).getQueue()).hasSize(1);
    }

    /** What the worker's unit of work does when the event's processing is over. */
    private static void complete(Exchange queued) {
        for (Synchronization s : queued.getExchangeExtension().handoverCompletions()) {
            s.onComplete(queued);
        }
    }

    @Test
    void theQueuesTogetherHoldAtMostTheByteBudgetUntilTheirEventsAreProcessed() {
        Exchange probe = accepted(0, new SynchronizationAdapter());
        long one = WorkerQueues.cost(probe.getMessage().getBody());
        assertThat(one).isEqualTo(2 * 2 + WorkerQueues.OVERHEAD_BYTES);
        // room for three events, over both partitions (the queues hold 5 and 1 events)
        WorkerQueues.Budget budget = new WorkerQueues.Budget(3 * one);
        WorkerQueues queues = new WorkerQueues(2, budget);
        queues.process(accepted(0, new SynchronizationAdapter()));
        queues.process(accepted(0, new SynchronizationAdapter()));
        queues.process(accepted(1, new SynchronizationAdapter()));
        assertThat(budget.used()).isEqualTo(3 * one);
        assertThatThrownBy(() -> queues.process(accepted(0, new SynchronizationAdapter())))
                .hasMessage("Queue full");
        assertThat(budget.used()).isEqualTo(3 * one);

        // taken off the queue is not enough: the event holds its memory until its processing completes
        Exchange running = context.getEndpoint("seda:talon-events-0", SedaEndpoint.class).getQueue().poll();
        assertThatThrownBy(() -> queues.process(accepted(0, new SynchronizationAdapter())))
                .hasMessage("Queue full");
        complete(running);
        assertThat(budget.used()).isEqualTo(2 * one);
        queues.process(accepted(0, new SynchronizationAdapter()));
        assertThat(budget.used()).isEqualTo(3 * one);
    }

    @Test
    void anEventLargerThanTheWholeBudgetIsStillTakenWhenNothingWaits() {
        WorkerQueues.Budget budget = new WorkerQueues.Budget(100);
        WorkerQueues queues = new WorkerQueues(2, budget);
        Exchange big = accepted(0, new SynchronizationAdapter());
        big.getMessage().setBody(new byte[10_000]);
        queues.process(big);
        assertThat(budget.used()).isEqualTo(20_000 + WorkerQueues.OVERHEAD_BYTES);
        assertThatThrownBy(() -> queues.process(accepted(1, new SynchronizationAdapter())))
                .hasMessage("Queue full");
        complete(context.getEndpoint("seda:talon-events-0", SedaEndpoint.class).getQueue().poll());
        assertThat(budget.used()).isZero();
    }

    @Test
    void aRefusedEventGivesBackItsBytesAndKeepsOnlyItsOwnCompletions() {
        WorkerQueues.Budget budget = new WorkerQueues.Budget(Long.MAX_VALUE);
        WorkerQueues queues = new WorkerQueues(2, budget);
        queues.process(accepted(1, new SynchronizationAdapter()));
        long before = budget.used();
        Synchronization span = new SynchronizationAdapter();
        Exchange refused = accepted(1, span);
        assertThatThrownBy(() -> queues.process(refused)).hasMessage("Queue full");
        assertThat(budget.used()).isEqualTo(before);
        assertThat(refused.getExchangeExtension().handoverCompletions()).containsExactly(span);
    }

    @Test
    void aFollowersRelayQueuesShareTheWorkerQueuesBudget() {
        context.getEndpoint("seda:talon-relay-0?size=5", SedaEndpoint.class).getQueue();
        long one = WorkerQueues.cost(new byte[2]);
        WorkerQueues.Budget budget = new WorkerQueues.Budget(2 * one);
        WorkerQueues relay = new WorkerQueues("talon-relay", 2, budget);
        WorkerQueues workers = new WorkerQueues(2, budget);
        relay.process(accepted(0, new SynchronizationAdapter()));
        assertThat(context.getEndpoint("seda:talon-relay-0", SedaEndpoint.class).getQueue()).hasSize(1);
        workers.process(accepted(0, new SynchronizationAdapter()));
        assertThat(budget.used()).isEqualTo(2 * one);
        assertThatThrownBy(() -> relay.process(accepted(0, new SynchronizationAdapter()))).hasMessage("Queue full");
        assertThatThrownBy(() -> workers.process(accepted(0, new SynchronizationAdapter()))).hasMessage("Queue full");
    }
}
