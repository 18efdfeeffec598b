package org.falcosecurity.talon.kafka;

import io.fabric8.kubernetes.api.model.Pod;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.KafkaBroker;
import org.falcosecurity.talon.support.KubernetesSimulator;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.falcosecurity.talon.kafka.KafkaTalons.Deliveries;
import static org.falcosecurity.talon.kafka.KafkaTalons.event;
import static org.falcosecurity.talon.kafka.KafkaTalons.instance;
import static org.falcosecurity.talon.kafka.KafkaTalons.pod;

/**
 * Scale-out on a real Kafka broker: three Talon replicas in one consumer group, on the Kubernetes API simulator.
 * 1,000 events over 50 pods are posted through all three intakes and one replica is stopped in the middle. Every
 * event is processed; an (event, action) pair runs twice only where the stopped replica's uncommitted event was
 * redelivered, and that re-run is harmless; the stopped replica's partitions move to the others; a pod's events are
 * processed in order; identical events posted to different replicas are processed once.
 */
class KafkaScaleOutSimulatorTest {

    @RegisterExtension
    static final KubernetesSimulator k8s = KubernetesSimulator.crud();
    /** The test JVM's broker: this class keeps to its own topics and groups. */
    private static KafkaBroker broker;

    private static final int PODS = 50;
    private static final int EVENTS = 1000;
    private static final int PARTITIONS = 12;
    private static final Pattern SEQ = Pattern.compile("seq=(\\d+)");

    /** One result as seen by the test: which replica produced it, and when (one counter for all replicas). */
    record Run(String replica, long order, ActionResult result) {
    }

    @BeforeAll
    static void brokerAndPods() throws Exception {
        broker = KafkaBroker.shared();
        KafkaTalons.createPods(k8s.client(), PODS);
    }

    @Test
    void threeReplicasShareTheEventsAndOneStopsInTheMiddle() throws Exception {
        broker.createTopic("scale-events", PARTITIONS);
        List<Run> runs = new CopyOnWriteArrayList<>();
        AtomicLong clock = new AtomicLong();
        Map<String, TalonTestServer> replicas = new LinkedHashMap<>();
        Map<String, Deliveries> deliveries = new HashMap<>();
        try {
            for (String name : List.of("a", "b", "c")) {
                Deliveries d = new Deliveries();
                TalonTestServer t = instance(broker, k8s.client(), "scale-events", "scale", "talon-" + name, d, "")
                        .start();
                t.server().runtime().addResultListener((r, e, n) -> runs.add(new Run(name, clock.incrementAndGet(),
                        r)));
                replicas.put(name, t);
                deliveries.put(name, d);
            }
            Map<String, Set<Integer>> before = awaitAssignment(Set.of("talon-a", "talon-b", "talon-c"));
            assertThat(before.values()).allSatisfy(p -> assertThat(p).isNotEmpty());

            List<String> ids = new ArrayList<>();
            List<TalonTestServer> intakes = new ArrayList<>(replicas.values());
            long stoppedAt = 0;
            for (int i = 0; i < EVENTS; i++) {
                if (i == EVENTS / 2) {
                    // the middle: replica c has done part of its share; stop it and carry on through a and b
                    await().atMost(Duration.ofSeconds(30)).until(() -> runs.stream()
                            .anyMatch(r -> r.replica().equals("c")));
                    stoppedAt = clock.get();
                    replicas.get("c").close();
                    intakes.remove(replicas.get("c"));
                }
                String id = UUID.randomUUID().toString();
                ids.add(id);
                HttpResponse<String> r = intakes.get(i % intakes.size()).post(event(id, pod(i % PODS), i));
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(r.body()).contains("\"trace_id\":\"" + id + "\"");
            }

            // every event is processed (its label action ran), by some replica
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() ->
                    runs.stream().map(r -> r.result().getTraceId()).collect(Collectors.toSet()).containsAll(ids));
            assertThat(runs).allSatisfy(r -> assertThat(r.result().getStatus()).as(r.toString())
                    .isEqualTo("success"));
            Set<String> processedBy = runs.stream().map(Run::replica).collect(Collectors.toSet());
            assertThat(processedBy).containsExactlyInAnyOrder("a", "b", "c");

            // an (event, action) pair ran twice only if replica c ran it first and did not commit it before it
            // stopped: at most the one event its one consumer had in hand
            Map<String, List<Run>> byEvent = runs.stream().collect(Collectors.groupingBy(r ->
                    r.result().getTraceId() + "/" + r.result().getAction(), TreeMap::new, Collectors.toList()));
            List<List<Run>> twice = byEvent.values().stream().filter(l -> l.size() > 1).toList();
            long stop = stoppedAt;
            assertThat(twice).hasSizeLessThanOrEqualTo(1).allSatisfy(l -> {
                assertThat(l).hasSize(2);
                assertThat(l.get(0).replica()).isEqualTo("c");
                assertThat(l.get(1).replica()).isIn("a", "b");
                assertThat(l.get(1).order()).isGreaterThan(stop);
                // harmless: the label was already there, and the re-run says so
                assertThat(l.get(1).result().getStatus()).isEqualTo("success");
            });
            for (int p = 0; p < PODS; p++) {
                Pod pod = k8s.client().pods().inNamespace(KafkaTalons.NAMESPACE).withName(pod(p)).get();
                assertThat(pod.getMetadata().getLabels()).containsEntry("falco.org/suspicious", "true")
                        .containsEntry("app", "web");
            }

            // a pod's events were processed in the order they were posted, across replicas
            Map<String, List<Integer>> orderByPod = new TreeMap<>();
            Set<String> seen = new TreeSet<>();
            runs.stream().sorted((x, y) -> Long.compare(x.order(), y.order()))
                    .filter(r -> seen.add(r.result().getTraceId()))
                    .forEach(r -> orderByPod.computeIfAbsent(r.result().getObjects().get("pod"),
                            k -> new ArrayList<>()).add(seq(r.result())));
            assertThat(orderByPod).hasSize(PODS);
            orderByPod.forEach((pod, seqs) -> assertThat(seqs).as(pod).isSorted());

            // the stopped replica's partitions moved to the others, which now share all of them
            Map<String, Set<Integer>> after = awaitAssignment(Set.of("talon-a", "talon-b"));
            assertThat(after.get("talon-a").size() + after.get("talon-b").size()).isEqualTo(PARTITIONS);
            assertThat(after.get("talon-a").size()).isGreaterThan(before.get("talon-a").size());
            assertThat(after.get("talon-b").size()).isGreaterThan(before.get("talon-b").size());
            Set<Integer> all = new TreeSet<>(after.get("talon-a"));
            all.addAll(after.get("talon-b"));
            assertThat(all).containsAll(before.get("talon-c")).hasSize(PARTITIONS);

            // notifications: every result was delivered by the replica that produced it (c's before it stopped)
            for (String name : List.of("a", "b", "c")) {
                List<String> produced = runs.stream().filter(r -> r.replica().equals(name))
                        .map(r -> r.result().getTraceId()).toList();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(deliveries.get(name).traceIds).containsExactlyInAnyOrderElementsOf(produced));
            }
            // and each replica committed what it processed: nothing is left for the group
            await().atMost(Duration.ofSeconds(30)).until(() -> lag("scale", "scale-events") == 0);
        } finally {
            replicas.values().forEach(TalonTestServer::close);
        }
    }

    @Test
    void identicalEventsPostedToDifferentReplicasAreProcessedOnce() throws Exception {
        broker.createTopic("dedup-events", PARTITIONS);
        List<Run> runs = new CopyOnWriteArrayList<>();
        List<TalonTestServer> replicas = new ArrayList<>();
        Map<String, Long> deduplicated = new ConcurrentHashMap<>();
        try {
            for (String name : List.of("a", "b", "c")) {
                TalonTestServer t = instance(broker, k8s.client(), "dedup-events", "dedup", "dedup-" + name,
                        new Deliveries(), "").start();
                t.server().runtime().addResultListener((r, e, n) -> runs.add(new Run(name, 0, r)));
                replicas.add(t);
            }
            awaitAssignment("dedup", Set.of("dedup-a", "dedup-b", "dedup-c"));
            // the same incident reported six times (new uuids, same rule and output), to all three intakes
            for (int i = 0; i < 6; i++) {
                String body = event(UUID.randomUUID().toString(), pod(7), 7);
                assertThat(replicas.get(i % 3).post(body).statusCode()).isEqualTo(200);
            }
            // and a different event after them for the same pod: once it is done, the six were handled
            String last = UUID.randomUUID().toString();
            assertThat(replicas.get(0).post(event(last, pod(7), 8)).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(60)).until(() -> runs.stream()
                    .anyMatch(r -> r.result().getTraceId().equals(last)));
            assertThat(runs).hasSize(2);
            // one replica owns the pod's partition: it ran the action once and dropped five duplicates
            for (TalonTestServer t : replicas) {
                deduplicated.put(t.toString(), t.server().runtime().counters().get("events_deduplicated"));
            }
            assertThat(deduplicated.values()).containsExactlyInAnyOrder(5L, 0L, 0L);
        } finally {
            replicas.forEach(TalonTestServer::close);
        }
    }

    private static int seq(ActionResult r) {
        Matcher m = SEQ.matcher(r.getEvent());
        assertThat(m.find()).as(r.getEvent()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static Map<String, Set<Integer>> awaitAssignment(Set<String> clients) {
        return awaitAssignment("scale", clients);
    }

    /** The group's assignment once exactly these consumers share every partition: client id → partitions. */
    private static Map<String, Set<Integer>> awaitAssignment(String group, Set<String> clients) {
        Map<String, Set<Integer>> assignment = new TreeMap<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> {
            assignment.clear();
            try (Admin admin = broker.admin()) {
                ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(group)).all()
                        .get(10, TimeUnit.SECONDS).get(group);
                for (MemberDescription m : g.members()) {
                    assignment.put(m.clientId(), m.assignment().topicPartitions().stream()
                            .map(TopicPartition::partition).collect(Collectors.toCollection(TreeSet::new)));
                }
                return assignment.keySet().equals(clients)
                        && assignment.values().stream().mapToInt(Set::size).sum() == PARTITIONS;
            }
        });
        return assignment;
    }

    /** Records of the topic the group has not committed yet. */
    private static long lag(String group, String topic) throws Exception {
        try (Admin admin = broker.admin()) {
            var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS);
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                latest.put(new TopicPartition(topic, p), org.apache.kafka.clients.admin.OffsetSpec.latest());
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
