package org.falcosecurity.talon.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The checks of bound settings that their types cannot express: ranges, one-of values, settings that need or
 * exclude each other, files that must be readable. Every message names the setting.
 *
 * <p>The Kafka topic, group and broker names end up in the Kafka endpoint URIs of {@code routes/kafka.camel.yaml}
 * (as placeholders), so they are held to what Kafka itself accepts: a misspelt setting is a startup error naming
 * it, never a URI with unexpected options.
 */
final class ConfigValidator {

    /** Kafka's legal topic (and, here, group id) characters. */
    private static final Pattern KAFKA_NAME = Pattern.compile("[A-Za-z0-9._-]{1,249}");
    private static final Pattern BROKERS = Pattern.compile(
            "([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+]):[0-9]{1,5}(,([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+]):[0-9]{1,5})*");

    private static final Pattern DNS_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,198}[a-z0-9])?");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern IDENTITY = Pattern.compile("[A-Za-z0-9._-]{1,253}");
    /** An object name (RFC 1123 subdomain; ClusterRoles may hold ':'), optionally after a namespace and '/'. */
    private static final Pattern PROTECTED_NAME = Pattern.compile(
            "([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?/)?[A-Za-z0-9:._-]{1,253}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]+]");
    private static final Pattern HOST_PORT = Pattern.compile("([A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]+])(:[0-9]{1,5})?");
    private static final Pattern AWS_REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]");
    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws[a-z-]*:iam::[0-9]{12}:role/[\\w+=,.@/-]{1,512}");

    private final String src;
    private final List<ConfigProblem> problems = new ArrayList<>();

    private ConfigValidator(String src) {
        this.src = src;
    }

    static List<ConfigProblem> validate(Settings s, String src) {
        ConfigValidator v = new ConfigValidator(src);
        v.check(s);
        return v.problems;
    }

    private void check(Settings s) {
        if (s.listenPort() < 1 || s.listenPort() > 65535) {
            add("listen_port", "must be between 1 and 65535, got " + s.listenPort());
        }
        oneOf("log_format", s.logFormat(), List.of("color", "text", "json"));
        atLeast("max_body_bytes", s.maxBodyBytes(), 1);
        atLeast("max_artifact_bytes", s.maxArtifactBytes(), 1);
        atLeast("queue_size", s.queueSize(), 1);
        atLeast("queue_max_bytes", s.queueMaxBytes(), 0);
        atLeast("workers", s.workers(), 1);
        atLeast("deduplication.max_entries", s.deduplication().maxEntries(), 1);
        atLeast("blast_radius.window_seconds", s.blastRadius().windowSeconds(), 1);
        atLeast("deduplication.time_window_seconds", s.deduplication().timeWindowSeconds(), 0);
        atLeast("blast_radius.max_actions", s.blastRadius().maxActions(), 0);
        atLeast("blast_radius.max_actions_per_rule", s.blastRadius().maxActionsPerRule(), 0);
        atLeast("blast_radius.max_actions_per_workload", s.blastRadius().maxActionsPerWorkload(), 0);
        oneOf("deduplication.key", s.deduplication().key(), List.of("output", "pod"));
        Settings.Tls tls = s.tls();
        oneOf("tls.client_auth", tls.clientAuth(), List.of("none", "want", "require"));
        if (!s.auth().token().isEmpty() && !s.auth().tokenFile().isEmpty()) {
            add("auth", "set auth.token or auth.token_file, not both");
        }
        if (s.auth().protectMetrics() && s.auth().token().isEmpty() && s.auth().tokenFile().isEmpty()) {
            add("auth.protect_metrics", "needs auth.token or auth.token_file (/metrics takes the intake's token)");
        }
        if (tls.keystore().isEmpty() && !"none".equals(tls.clientAuth())) {
            add("tls.client_auth", "needs tls.keystore (mutual TLS runs on HTTPS)");
        }
        if (!tls.keystore().isEmpty() && !"none".equals(tls.clientAuth()) && tls.truststore().isEmpty()) {
            add("tls.client_auth", "needs tls.truststore (the CAs of accepted client certificates)");
        }
        oneOf("provenance", s.provenance(), List.of("enforce", "warn", "off"));
        protection(s.protection());
        atLeast("audit.max_file_bytes", s.audit().maxFileBytes(), 1024);
        atLeast("audit.max_files", s.audit().maxFiles(), 0);
        atLeast("audit.queue_size", s.audit().queueSize(), 1);
        atLeast("reverts.interval_seconds", s.reverts().intervalSeconds(), 1);
        kafka(s.kafka());
        replicas(s.replicas());
        upstreamFeatures(s);
        readable("auth.token_file", s.auth().tokenFile());
        readable("tls.keystore", tls.keystore());
        readable("tls.truststore", tls.truststore());
    }

    private void kafka(Settings.Kafka k) {
        atLeast("kafka.send_timeout_ms", k.sendTimeoutMs(), 1);
        atLeast("kafka.notification_timeout_ms", k.notificationTimeoutMs(), 1);
        // the broker refuses less (group.min.session.timeout.ms), and heartbeats go every 3 s
        atLeast("kafka.session_timeout_ms", k.sessionTimeoutMs(), 6000);
        kafkaName("kafka.topic", k.topic(), false);
        kafkaName("kafka.group_id", k.groupId(), false);
        kafkaName("kafka.consume_topic", k.consumeTopic(), true);
        if (!k.enabled()) {
            return;
        }
        if (k.brokers().isBlank()) {
            add("kafka.brokers", "required in Kafka mode (kafka.enabled: true), e.g. kafka:9092");
        } else if (!BROKERS.matcher(k.brokers()).matches()) {
            add("kafka.brokers", "expected host:port[,host:port...], got '" + k.brokers() + "'");
        }
        if (k.topic().equals(k.consumeTopic())) {
            add("kafka.consume_topic", "must differ from kafka.topic (Talon re-keys its events into kafka.topic)");
        }
    }

    /**
     * The Lease's timings follow client-go's rules (the leader gives up before its Lease may be taken); the names are
     * Kubernetes object names; the advertised URL is where other replicas send events (and the intake token).
     */
    private void replicas(Settings.Replicas r) {
        atLeast("replicas.retry_period_ms", r.retryPeriodMs(), 100);
        atLeast("replicas.forward_timeout_ms", r.forwardTimeoutMs(), 100);
        if (r.renewDeadlineMs() <= r.retryPeriodMs() * 6 / 5) {
            add("replicas.renew_deadline_ms", "must be more than 1.2 × replicas.retry_period_ms ("
                    + r.retryPeriodMs() + "), got " + r.renewDeadlineMs());
        }
        if (r.leaseDurationMs() <= r.renewDeadlineMs()) {
            add("replicas.lease_duration_ms", "must be more than replicas.renew_deadline_ms ("
                    + r.renewDeadlineMs() + "), got " + r.leaseDurationMs());
        }
        if (!DNS_NAME.matcher(r.leaseName()).matches()) {
            add("replicas.lease_name", "a Kubernetes object name: lower-case letters, digits and '-', at most 200,"
                    + " got '" + r.leaseName() + "'");
        }
        if (!r.namespace().isEmpty() && !DNS_LABEL.matcher(r.namespace()).matches()) {
            add("replicas.namespace", "a Kubernetes namespace: lower-case letters, digits and '-', at most 63, got '"
                    + r.namespace() + "'");
        }
        if (!r.identity().isEmpty() && !IDENTITY.matcher(r.identity()).matches()) {
            add("replicas.identity", "letters, digits, '.', '_' and '-' only (at most 253), got '" + r.identity()
                    + "'");
        }
        if (!r.advertiseUrl().isEmpty() && AdvertisedUrl.problem(r.advertiseUrl()) != null) {
            add("replicas.advertise_url", AdvertisedUrl.problem(r.advertiseUrl()));
        }
    }

    private void protection(Settings.Protection p) {
        for (String ns : p.namespaces()) {
            if (!DNS_LABEL.matcher(ns).matches()) {
                add("protected.namespaces", "'" + ns + "' is not a namespace name (lower-case letters, digits and"
                        + " '-', at most 63)");
            }
        }
        for (String n : p.names()) {
            if (!PROTECTED_NAME.matcher(n).matches()) {
                add("protected.names", "expected name or namespace/name, got '" + n + "'");
            }
        }
        for (String l : p.labels()) {
            String problem = LabelSelector.problem(l);
            if (problem != null) {
                add("protected.labels", problem);
            }
        }
    }

    /** The settings of upstream's OpenTelemetry, AWS, GCP and MinIO features: checked now, used by their issues. */
    private void upstreamFeatures(Settings s) {
        Settings.Otel o = s.otel();
        if (o.collectorPort() < 1 || o.collectorPort() > 65535) {
            add("otel.collector_port", "must be between 1 and 65535, got " + o.collectorPort());
        }
        atLeast("otel.timeout", o.timeout(), 1);
        if (!HOST.matcher(o.collectorEndpoint()).matches()) {
            add("otel.collector_endpoint", "expected a host name or address (the port is otel.collector_port),"
                    + " got '" + o.collectorEndpoint() + "'");
        }
        Settings.Aws aws = s.aws();
        pair("aws.access_key", aws.accessKey(), "aws.secret_key", aws.secretKey());
        if (!aws.region().isEmpty() && !AWS_REGION.matcher(aws.region()).matches()) {
            add("aws.region", "expected an AWS region such as eu-west-1, got '" + aws.region() + "'");
        }
        if (!aws.roleArn().isEmpty() && !ROLE_ARN.matcher(aws.roleArn()).matches()) {
            add("aws.role_arn", "expected arn:aws:iam::<account>:role/<name>, got '" + aws.roleArn() + "'");
        }
        endpointUrl("aws.endpoint", aws.endpoint());
        String gcpKey = s.gcp().credentialsPath();
        if (gcpKey.stripLeading().startsWith("{")) {
            // upstream reads this setting as the key's JSON itself; Talon reads the file it names (never echo it)
            add("gcp.credentials_path", "must be the path of the service-account JSON key file, not the key itself");
        } else {
            readable("gcp.credentials_path", gcpKey);
        }
        Settings.Minio m = s.minio();
        pair("minio.access_key", m.accessKey(), "minio.secret_key", m.secretKey());
        if (!m.endpoint().isEmpty() && !HOST_PORT.matcher(m.endpoint()).matches()) {
            add("minio.endpoint", "expected host or host:port without a scheme (HTTPS is minio.use_ssl), got '"
                    + m.endpoint() + "'");
        }
    }

    /** Empty, or {@code http(s)://host[:port]} with no user, path beyond {@code /}, query or fragment. */
    private void endpointUrl(String key, String v) {
        if (v.isEmpty()) {
            return;
        }
        String problem = null;
        try {
            java.net.URI u = new java.net.URI(v);
            if (u.getScheme() == null || !List.of("http", "https").contains(u.getScheme()) || u.getHost() == null) {
                problem = "expected http(s)://host[:port]";
            } else if (u.getRawUserInfo() != null) {
                // never echo it: it would be a credential
                add(key, "must not carry a user or password (credentials are aws.access_key / aws.secret_key)");
                return;
            } else if (u.getRawQuery() != null || u.getRawFragment() != null
                    || !(u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/"))) {
                problem = "expected http(s)://host[:port] without a path, query or fragment";
            }
        } catch (java.net.URISyntaxException e) {
            problem = "expected http(s)://host[:port]";
        }
        if (problem != null) {
            add(key, problem + ", got '" + v + "'");
        }
    }

    /** Both or neither (values are never echoed: one of them is a secret). */
    private void pair(String first, String a, String second, String b) {
        if (a.isEmpty() != b.isEmpty()) {
            add(a.isEmpty() ? first : second, "set both " + first + " and " + second + ", or neither");
        }
    }

    private void kafkaName(String key, String v, boolean optional) {
        if (!(optional && v.isEmpty()) && !KAFKA_NAME.matcher(v).matches()) {
            add(key, "letters, digits, '.', '_' and '-' only (at most 249), got '" + v + "'");
        }
    }

    private void atLeast(String key, int value, int min) {
        if (value < min) {
            add(key, "must be " + min + " or more, got " + value);
        }
    }

    private void oneOf(String key, String v, List<String> allowed) {
        if (!allowed.contains(v)) {
            add(key, "must be one of " + String.join(", ", allowed) + ", got '" + v + "'");
        }
    }

    private void readable(String key, String path) {
        if (!path.isEmpty() && !Files.isReadable(Path.of(path))) {
            add(key, "cannot read " + path);
        }
    }

    private void add(String key, String message) {
        problems.add(new ConfigProblem(src, key, message));
    }
}
