// Helper of bench/kafka.sh, run as a single-file program with the broker's jars on the class path
// (target/kafka-node/lib: kafka-clients 3.9.1):
//   java -cp 'target/kafka-node/lib/*' bench/KafkaLoad.java topic BOOTSTRAP TOPIC PARTITIONS
//   java -cp 'target/kafka-node/lib/*' bench/KafkaLoad.java fill  BOOTSTRAP TOPIC EVENTS PODS   (prints ms taken)
//   java -cp 'target/kafka-node/lib/*' bench/KafkaLoad.java drain BOOTSTRAP GROUP TOPIC TIMEOUT_S (waits for lag 0)
//   java -cp 'target/kafka-node/lib/*' bench/KafkaLoad.java members BOOTSTRAP GROUP             (prints the count)
// `fill` writes Falco events keyed namespace/pod, as Talon's intake does; `drain` returns once the group has committed
// every record of the topic and prints that moment (epoch milliseconds).

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

public class KafkaLoad {

    public static void main(String[] a) throws Exception {
        switch (a[0]) {
            case "topic" -> {
                try (Admin admin = admin(a[1])) {
                    admin.createTopics(List.of(new NewTopic(a[2], Integer.parseInt(a[3]), (short) 1))).all()
                            .get(30, TimeUnit.SECONDS);
                }
            }
            case "fill" -> System.out.println(fill(a[1], a[2], Integer.parseInt(a[3]), Integer.parseInt(a[4])));
            case "drain" -> System.out.println(drain(a[1], a[2], a[3], Integer.parseInt(a[4])));
            case "members" -> {
                try (Admin admin = admin(a[1])) {
                    var g = admin.describeConsumerGroups(List.of(a[2])).all().get(10, TimeUnit.SECONDS).get(a[2]);
                    System.out.println(g.members().stream()
                            .filter(m -> !m.assignment().topicPartitions().isEmpty()).count());
                }
            }
            default -> throw new IllegalArgumentException(a[0]);
        }
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of("bootstrap.servers", bootstrap));
    }

    private static long fill(String bootstrap, String topic, int events, int pods) throws Exception {
        long start = System.nanoTime();
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
                "acks", "all", "linger.ms", 5,
                "key.serializer", "org.apache.kafka.common.serialization.StringSerializer",
                "value.serializer", "org.apache.kafka.common.serialization.StringSerializer"))) {
            for (int i = 0; i < events; i++) {
                String pod = "web-" + (i % pods);
                String event = "{\"uuid\":\"" + UUID.randomUUID() + "\",\"rule\":\"Terminal shell in container\","
                        + "\"priority\":\"Notice\",\"output\":\"12:00:00.000000000: Notice A shell was spawned in "
                        + pod + " seq=" + i + "\",\"time\":\"2026-11-27T12:00:00Z\",\"source\":\"syscall\","
                        + "\"hostname\":\"node-1\",\"output_fields\":{\"k8s.ns.name\":\"default\","
                        + "\"k8s.pod.name\":\"" + pod + "\",\"proc.cmdline\":\"sh\"}}";
                p.send(new ProducerRecord<>(topic, "default/" + pod, event));
            }
            p.flush();
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static long drain(String bootstrap, String group, String topic, int timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        try (Admin admin = admin(bootstrap)) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                    .size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            var ends = admin.listOffsets(latest).all().get();
            while (System.nanoTime() < deadline) {
                var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
                long lag = 0;
                for (var e : ends.entrySet()) {
                    var c = committed.get(e.getKey());
                    lag += e.getValue().offset() - (c == null ? 0 : c.offset());
                }
                if (lag == 0) {
                    return System.currentTimeMillis();
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("the group did not drain the topic within " + timeoutSeconds + " s");
    }
}
