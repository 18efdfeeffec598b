package org.falcosecurity.talon.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.ops.TalonCounters;
import org.falcosecurity.talon.support.KafkaBroker;
import org.falcosecurity.talon.support.KubernetesSimulator;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.falcosecurity.talon.kafka.KafkaTalons.Deliveries;
import static org.falcosecurity.talon.kafka.KafkaTalons.event;
import static org.falcosecurity.talon.kafka.KafkaTalons.instance;
import static org.falcosecurity.talon.kafka.KafkaTalons.pod;

/**
 * At-least-once delivery on a real Kafka broker, on the Kubernetes API simulator: an offset is committed only once
 * the event's actions and notifications are done; a replica that dies with an event in hand loses nothing (another
 * replica runs it again, harmlessly); a record that is not an event is skipped and counted, and the records behind
 * it are processed; Falcosidekick's topic is re-keyed by pod.
 */
class KafkaDeliverySimulatorTest {

    @RegisterExtension
    static final KubernetesSimulator k8s = KubernetesSimulator.crud();
    /** The test JVM's broker: this class keeps to its own topics and groups. */
    private static KafkaBroker broker;

    @BeforeAll
    static void brokerAndPods() throws Exception {
        broker = KafkaBroker.shared();
        KafkaTalons.createPods(k8s.client(), 20);
    }

    @Test
    void aReplicaThatDiesWithAnEventInHandLosesNothing() throws Exception {
        broker.createTopic("crash-events", 4);
        Deliveries survivorDeliveries = new Deliveries();
        Deliveries doomedDeliveries = new Deliveries();
        // the doomed replica's notifier hangs: it has run the action, and waits for its notification to go out
        doomedDeliveries.hold();
        List<ActionResult> survivor = new CopyOnWriteArrayList<>();
        List<ActionResult> doomed = new CopyOnWriteArrayList<>();
        TalonTestServer a = null;
        TalonTestServer c = null;
        try {
            a = instance(broker, k8s.client(), "crash-events", "crash", "crash-a", survivorDeliveries, "").start();
            a.server().runtime().addResultListener((r, e, n) -> survivor.add(r));
            c = instance(broker, k8s.client(), "crash-events", "crash", "crash-c", doomedDeliveries, "")
                    .env("KAFKA_NOTIFICATION_TIMEOUT_MS", "60000")
                    // it dies rather than drains: a second to stop, then its threads are interrupted
                    .property("camel.main.shutdown-timeout", "1")
                    .property("camel.component.kafka.shutdown-timeout", "1000")
                    .start();
            c.server().runtime().addResultListener((r, e, n) -> doomed.add(r));
            await().atMost(Duration.ofSeconds(60)).until(() -> members("crash") == 2);

            // events for several pods, until one lands on the doomed replica's partitions
            List<String> posted = new ArrayList<>();
            for (int i = 0; i < 20 && doomed.isEmpty(); i++) {
                String id = UUID.randomUUID().toString();
                posted.add(id);
                assertThat(a.post(event(id, pod(i), i)).statusCode()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(20)).until(() -> survivor.size() + doomed.size() >= posted.size()
                        || !doomed.isEmpty());
            }
            assertThat(doomed).hasSize(1);
            String inHand = doomed.get(0).getTraceId();
            assertThat(doomedDeliveries.held.await(20, TimeUnit.SECONDS)).isTrue();
            // the action ran, its notification is not out: that offset is not committed (the survivor's are)
            await().atMost(Duration.ofSeconds(20)).until(() -> lag("crash", "crash-events", 4) == 1);
            assertThat(k8s.client().pods().inNamespace("default").withName(doomed.get(0).getObjects().get("pod")).get()
                    .getMetadata().getLabels()).containsEntry("falco.org/suspicious", "true");

            c.close();
            c = null;
            // the survivor takes the partitions over and runs the event again: harmless, the label is there
            await().atMost(Duration.ofSeconds(60)).until(() -> survivor.stream()
                    .anyMatch(r -> r.getTraceId().equals(inHand)));
            ActionResult again = survivor.stream().filter(r -> r.getTraceId().equals(inHand)).findFirst()
                    .orElseThrow();
            assertThat(again.getStatus()).isEqualTo("success");
            assertThat(again.getOutput()).contains("already as wanted");
            await().atMost(Duration.ofSeconds(20)).until(() -> survivorDeliveries.traceIds.contains(inHand));
            // every posted event was processed once by the survivor, except the one the doomed replica had
            assertThat(survivor).extracting(ActionResult::getTraceId).containsExactlyInAnyOrderElementsOf(posted);
            await().atMost(Duration.ofSeconds(20)).until(() -> lag("crash", "crash-events", 4) == 0);
        } finally {
            doomedDeliveries.release();
            if (c != null) {
                c.close();
            }
            if (a != null) {
                a.close();
            }
        }
    }

    @Test
    void notificationsStillRetryingAfterTheTimeoutDoNotHoldThePartition() throws Exception {
        broker.createTopic("slow-events", 1);
        Deliveries deliveries = new Deliveries();
        deliveries.hold();
        try (TalonTestServer t = instance(broker, k8s.client(), "slow-events", "slow", "slow-a", deliveries,
                "").env("KAFKA_NOTIFICATION_TIMEOUT_MS", "4000").start()) {
            String first = UUID.randomUUID().toString();
            assertThat(t.post(event(first, pod(1), 1)).statusCode()).isEqualTo(200);
            assertThat(deliveries.held.await(30, TimeUnit.SECONDS)).isTrue();
            // held: not committed within the timeout...
            assertThat(lag("slow", "slow-events", 1)).isEqualTo(1);
            // ...then committed anyway, counted; the notification is still on its way
            TalonCounters counters = t.server().runtime().counters();
            await().atMost(Duration.ofSeconds(20)).until(() -> lag("slow", "slow-events", 1) == 0);
            assertThat(counters.get("kafka_notifications_unconfirmed")).isEqualTo(1);
            assertThat(deliveries.traceIds).isEmpty();
            deliveries.release();
            await().atMost(Duration.ofSeconds(20)).until(() -> deliveries.traceIds.contains(first));
            assertThat(counters.get("kafka_records", "topic", "slow-events", "status", "processed")).isEqualTo(1);
        } finally {
            deliveries.release();
        }
    }

    @Test
    void aRecordThatIsNoEventIsSkippedAndCountedAndTheNextOnesAreProcessed() throws Exception {
        broker.createTopic("poison-events", 1);
        Deliveries deliveries = new Deliveries();
        try (TalonTestServer t = instance(broker, k8s.client(), "poison-events", "poison", "poison-a", deliveries, "")
                .start(); KafkaProducer<String, String> producer = producer()) {
            String good = UUID.randomUUID().toString();
            // one partition: the bad records stand in front of the good one
            producer.send(new ProducerRecord<>("poison-events", "default/web-2", "not json at all")).get();
            producer.send(new ProducerRecord<>("poison-events", "default/web-2", "{\"output\":\"no rule\"}")).get();
            producer.send(new ProducerRecord<>("poison-events", "default/web-2", null)).get();
            producer.send(new ProducerRecord<>("poison-events", "default/web-2", event(good, pod(2), 2))).get();
            await().atMost(Duration.ofSeconds(60)).until(() -> deliveries.traceIds.contains(good));
            TalonCounters counters = t.server().runtime().counters();
            await().atMost(Duration.ofSeconds(20)).until(() -> lag("poison", "poison-events", 1) == 0);
            assertThat(counters.get("kafka_records", "topic", "poison-events", "status", "skipped")).isEqualTo(3);
            assertThat(counters.get("kafka_records", "topic", "poison-events", "status", "processed")).isEqualTo(1);
        }
    }

    @Test
    void falcosidekickRecordsAreReKeyedByPodThenProcessed() throws Exception {
        broker.createTopic("sidekick", 3);
        broker.createTopic("sk-events", 3);
        Deliveries deliveries = new Deliveries();
        try (TalonTestServer t = instance(broker, k8s.client(), "sk-events", "sk", "sk-a", deliveries,
                "").env("KAFKA_CONSUME_TOPIC", "sidekick").start();
             KafkaProducer<String, String> producer = producer()) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String id = UUID.randomUUID().toString();
                ids.add(id);
                // Falcosidekick's Kafka output: the event as the value, no key
                producer.send(new ProducerRecord<>("sidekick", null, event(id, pod(10 + i), i))).get();
            }
            producer.send(new ProducerRecord<>("sidekick", null, "{not an event")).get();
            await().atMost(Duration.ofSeconds(60)).until(() -> deliveries.traceIds.containsAll(ids));
            TalonCounters counters = t.server().runtime().counters();
            assertThat(counters.get("events_received", "priority", "Notice")).isEqualTo(3);
            assertThat(counters.get("kafka_records", "topic", "sidekick", "status", "skipped")).isEqualTo(1);
            // Talon's topic holds them keyed by namespace/pod, with the trace id
            Map<String, String> keys = new HashMap<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(),
                    ConsumerConfig.GROUP_ID_CONFIG, "test-reader",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
                consumer.subscribe(List.of("sk-events"));
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                        keys.put(new String(r.headers().lastHeader("TalonTraceId").value()), r.key());
                    }
                    return keys.size() >= 3;
                });
            }
            for (int i = 0; i < 3; i++) {
                assertThat(keys).containsEntry(ids.get(i), "default/" + pod(10 + i));
            }
        }
    }

    private static KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()));
    }

    private static int members(String group) throws Exception {
        try (Admin admin = broker.admin()) {
            var g = admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group);
            return (int) g.members().stream().filter(m -> !m.assignment().topicPartitions().isEmpty()).count();
        }
    }

    /** Records of the topic the group has not committed yet. */
    private static long lag(String group, String topic, int partitions) throws Exception {
        return lag(broker, group, topic, partitions);
    }

    /** Records of the topic the group has not committed yet. */
    static long lag(KafkaBroker broker, String group, String topic, int partitions) throws Exception {
        try (Admin admin = broker.admin()) {
            var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            long lag = 0;
            for (var e : admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).entrySet()) {
                var c = committed.get(e.getKey());
                lag += e.getValue().offset() - (c == null ? 0 : c.offset());
            }
            return lag;
        }
    }
}
