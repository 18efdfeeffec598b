package org.falcosecurity.talon.config;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks of the {@code kafka.*} settings. The topic, group and broker names end up in the Kafka endpoint URIs of
 * {@code routes/kafka.camel.yaml} (as placeholders), so they are held to what Kafka itself accepts: a misspelt
 * setting is a startup error naming it, never a URI with unexpected options.
 */
final class KafkaSettings {

    /** Kafka's legal topic (and, here, group id) characters. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,249}");
    private static final Pattern BROKERS = Pattern.compile(
            "([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+]):[0-9]{1,5}(,([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+]):[0-9]{1,5})*");

    private KafkaSettings() {
    }

    static void validate(Map<String, Object> values, List<String> errors, String src) {
        for (String k : List.of("kafka.send_timeout_ms", "kafka.notification_timeout_ms")) {
            if (values.get(k) instanceof Integer i && i < 1) {
                errors.add(src + ": " + k + ": must be 1 or more, got " + i);
            }
        }
        // the broker refuses less (group.min.session.timeout.ms), and heartbeats go every 3 s
        if (values.get("kafka.session_timeout_ms") instanceof Integer i && i < 6000) {
            errors.add(src + ": kafka.session_timeout_ms: must be 6000 or more, got " + i);
        }
        name(values, "kafka.topic", false, errors, src);
        name(values, "kafka.group_id", false, errors, src);
        name(values, "kafka.consume_topic", true, errors, src);
        if (!Boolean.TRUE.equals(values.get("kafka.enabled"))) {
            return;
        }
        Object brokers = values.get("kafka.brokers");
        if (!(brokers instanceof String b) || b.isBlank()) {
            errors.add(src + ": kafka.brokers: required in Kafka mode (kafka.enabled: true), e.g. kafka:9092");
        } else if (!BROKERS.matcher(b).matches()) {
            errors.add(src + ": kafka.brokers: expected host:port[,host:port...], got '" + b + "'");
        }
        if (values.get("kafka.topic") != null && values.get("kafka.topic").equals(values.get("kafka.consume_topic"))) {
            errors.add(src + ": kafka.consume_topic: must differ from kafka.topic (Talon re-keys its events into"
                    + " kafka.topic)");
        }
    }

    private static void name(Map<String, Object> values, String key, boolean optional, List<String> errors,
                             String src) {
        Object v = values.get(key);
        if (v instanceof String s && !(optional && s.isEmpty()) && !NAME.matcher(s).matches()) {
            errors.add(src + ": " + key + ": letters, digits, '.', '_' and '-' only (at most 249), got '" + s + "'");
        }
    }
}
