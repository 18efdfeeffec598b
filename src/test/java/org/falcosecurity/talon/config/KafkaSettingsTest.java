package org.falcosecurity.talon.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The kafka.* settings: off by default, checked when on, every problem named. */
class KafkaSettingsTest {

    @Test
    void offByDefaultWithUsableDefaults() throws Exception {
        TalonConfig c = TalonConfig.parse(null, "none", Map.of());
        assertThat(c.kafka().enabled()).isFalse();
        assertThat(c.kafka().topic()).isEqualTo("falco-talon-events");
        assertThat(c.kafka().groupId()).isEqualTo("falco-talon");
        assertThat(c.kafka().consumeTopic()).isEmpty();
        assertThat(c.kafka().sendTimeoutMs()).isEqualTo(5000);
        assertThat(c.asProperties()).containsEntry("kafka.enabled", "false").containsEntry("kafka.brokers", "");
    }

    @Test
    void fromTheFileAndTheEnvironment() throws Exception {
        TalonConfig c = TalonConfig.parse("""
                kafka:
                  enabled: true
                  brokers: kafka-0.kafka:9092,kafka-1.kafka:9092
                  topic: talon
                """, "config.yaml", Map.of("KAFKA_GROUP_ID", "talon-prod", "KAFKA_CONSUME_TOPIC", "falco"));
        assertThat(c.kafka().brokers()).isEqualTo("kafka-0.kafka:9092,kafka-1.kafka:9092");
        assertThat(c.kafka().groupId()).isEqualTo("talon-prod");
        assertThat(c.kafka().consumeTopic()).isEqualTo("falco");
    }

    @Test
    void kafkaModeNeedsBrokersAndSaneNames() {
        assertThatThrownBy(() -> TalonConfig.parse("kafka: {enabled: true}", "c.yaml", Map.of()))
                .hasMessageContaining("kafka.brokers: required in Kafka mode");
        assertThatThrownBy(() -> TalonConfig.parse("kafka: {enabled: true, brokers: 'kafka:9092?x=1'}", "c.yaml",
                Map.of())).hasMessageContaining("kafka.brokers: expected host:port");
        assertThatThrownBy(() -> TalonConfig.parse("kafka: {topic: 'a&b'}", "c.yaml", Map.of()))
                .hasMessageContaining("kafka.topic: letters, digits");
        assertThatThrownBy(() -> TalonConfig.parse("kafka: {group_id: ''}", "c.yaml", Map.of()))
                .hasMessageContaining("kafka.group_id");
        assertThatThrownBy(() -> TalonConfig.parse(
                "kafka: {enabled: true, brokers: 'k:9092', topic: t, consume_topic: t}", "c.yaml", Map.of()))
                .hasMessageContaining("kafka.consume_topic: must differ from kafka.topic");
        assertThatThrownBy(() -> TalonConfig.parse("kafka: {session_timeout_ms: 1000, send_timeout_ms: 0}",
                "c.yaml", Map.of()))
                .hasMessageContaining("kafka.session_timeout_ms: must be 6000 or more")
                .hasMessageContaining("kafka.send_timeout_ms: must be 1 or more");
        assertThatThrownBy(() -> TalonConfig.parse("kafka: {brokerz: x}", "c.yaml", Map.of()))
                .hasMessageContaining("kafka.brokerz: unknown setting");
    }
}
