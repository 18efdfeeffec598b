package org.falcosecurity.talon.config;

import java.util.List;
import java.util.Locale;

/**
 * A static configuration key: its dotted name (nested YAML maps), type, default and description.
 * The environment variable is the name upper-cased with {@code .} turned into {@code _}.
 */
public record ConfigKey(String name, Type type, Object defaultValue, String description) {

    /** Whether the key holds a secret: never a Camel property, never printed. */
    public boolean secret() {
        return Secrets.isSecretKey(name);
    }

    public enum Type { STRING, INTEGER, BOOLEAN, LIST }

    public String envName() {
        return name.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    /** Every key Talon reads, in the order docs/configuration.md documents them (its table is generated). */
    public static final List<ConfigKey> ALL = List.of(
            new ConfigKey("listen_address", Type.STRING, "0.0.0.0", "Listen address of the intake"),
            new ConfigKey("listen_port", Type.INTEGER, 2803, "Listen port of the intake"),
            new ConfigKey("rules_files", Type.LIST, List.of(),
                    "Rule files, merged in order (the -r flags replace this list)"),
            new ConfigKey("watch_rules", Type.BOOLEAN, true, "Reload the rule files when they change"),
            new ConfigKey("print_all_events", Type.BOOLEAN, true,
                    "Log every received event, not only those that match a rule"),
            new ConfigKey("routes_directory", Type.STRING, "routes",
                    "Directory of extra YAML DSL routes (actionners, notifiers); a file named like a packaged route"
                            + " replaces it"),
            new ConfigKey("kubeconfig", Type.STRING, "",
                    "Kubeconfig file, when Talon runs outside Kubernetes (else the in-cluster service account)"),
            new ConfigKey("log_format", Type.STRING, "color", "Log format: color, text or json"),
            new ConfigKey("default_notifiers", Type.LIST, List.of(), "Notifiers called for every action result"),
            new ConfigKey("dry_run", Type.BOOLEAN, false,
                    "Run no action at all: every action is reported with status dry-run"),
            new ConfigKey("max_body_bytes", Type.INTEGER, 1048576,
                    "Largest accepted request body; larger bodies get 413"),
            new ConfigKey("max_artifact_bytes", Type.INTEGER, 104857600,
                    "Largest artifact an action may store through its output (a downloaded file, a capture, logs):"
                            + " Talon stops reading past it and the action fails"),
            new ConfigKey("queue_size", Type.INTEGER, 10000,
                    "Events accepted but not yet processed, per worker; beyond it the intake answers 429"),
            new ConfigKey("queue_max_bytes", Type.INTEGER, 0,
                    "Most heap the events waiting for the workers may hold, all worker queues together (each event"
                            + " counts twice its body plus 4 KiB); beyond it the intake answers 429. 0: a quarter"
                            + " of the JVM's maximum heap"),
            new ConfigKey("workers", Type.INTEGER, 4,
                    "Event workers; events of one pod always go to the same worker, in order"),
            new ConfigKey("deduplication.leader_election", Type.BOOLEAN, true,
                    "With a cluster configured (HTTP mode): one replica, the holder of a Lease, runs the actions; the"
                            + " others forward their events to it (see replicas.*)"),
            new ConfigKey("deduplication.time_window_seconds", Type.INTEGER, 5,
                    "Identical events within this window are processed once (0: off)"),
            new ConfigKey("deduplication.key", Type.STRING, "output",
                    "What makes events identical: output (rule + output without its time prefix) or pod"
                            + " (rule + namespace + pod + container id)"),
            new ConfigKey("deduplication.max_entries", Type.INTEGER, 100000,
                    "Most event keys remembered for deduplication (memory bound)"),
            new ConfigKey("auth.token", Type.STRING, "",
                    "Shared token the intake requires (Authorization: Bearer <token>, or Basic auth with the token as the"
                            + " password); empty: no auth (refused with a cluster, see auth.allow_unauthenticated)"),
            new ConfigKey("auth.token_file", Type.STRING, "",
                    "File holding the intake's token (e.g. a mounted Secret); read at startup"),
            new ConfigKey("auth.allow_unauthenticated", Type.BOOLEAN, false,
                    "Let server start with a cluster configured and no token (an open intake: anyone who reaches"
                            + " it can make Talon act)"),
            new ConfigKey("auth.protect_metrics", Type.BOOLEAN, false,
                    "/metrics requires the intake's token too (Authorization: Bearer <token>)"),
            new ConfigKey("tls.keystore", Type.STRING, "",
                    "PKCS12 keystore with the intake's certificate and key; set to serve HTTPS"),
            new ConfigKey("tls.keystore_password", Type.STRING, "", "Password of tls.keystore"),
            new ConfigKey("tls.truststore", Type.STRING, "",
                    "PKCS12 truststore of the CAs whose client certificates are accepted (mutual TLS)"),
            new ConfigKey("tls.truststore_password", Type.STRING, "", "Password of tls.truststore"),
            new ConfigKey("tls.client_auth", Type.STRING, "none",
                    "Client certificates: none, want or require (mutual TLS)"),
            new ConfigKey("blast_radius.window_seconds", Type.INTEGER, 600,
                    "Time window of the blast-radius limits"),
            new ConfigKey("blast_radius.max_actions", Type.INTEGER, 0,
                    "Most guarded actions in the window, all rules together (0: no limit)"),
            new ConfigKey("blast_radius.max_actions_per_rule", Type.INTEGER, 0,
                    "Most guarded actions in the window for one rule (0: no limit)"),
            new ConfigKey("blast_radius.max_actions_per_workload", Type.INTEGER, 0,
                    "Most guarded actions in the window on one workload (0: no limit)"),
            new ConfigKey("blast_radius.actionners", Type.LIST, List.of("kubernetes:terminate", "kubernetes:delete",
                    "kubernetes:drain", "kubernetes:networkpolicy"),
                    "The destructive actionners the limits apply to"),
            new ConfigKey("replicas.namespace", Type.STRING, "",
                    "Namespace of the Lease and of the shared blast-radius counters (empty: $NAMESPACE, else the"
                            + " service account's, else falco)"),
            new ConfigKey("replicas.identity", Type.STRING, "",
                    "This replica's name in the Lease (empty: $POD_NAME, else the host name)"),
            new ConfigKey("replicas.advertise_url", Type.STRING, "",
                    "Where the other replicas forward events while this one leads (empty: http(s)://$POD_IP:"
                            + "listen_port)"),
            new ConfigKey("replicas.lease_name", Type.STRING, "falco-talon",
                    "Name of the Lease; the shared ConfigMaps are named after it"),
            new ConfigKey("replicas.lease_duration_ms", Type.INTEGER, 15000,
                    "How long a leader that stopped renewing keeps the Lease before a follower may take it"),
            new ConfigKey("replicas.renew_deadline_ms", Type.INTEGER, 10000,
                    "How long the leader keeps trying to renew before it stops acting (less than"
                            + " lease_duration_ms)"),
            new ConfigKey("replicas.retry_period_ms", Type.INTEGER, 2000,
                    "How often replicas try to take or renew the Lease"),
            new ConfigKey("replicas.forward_timeout_ms", Type.INTEGER, 5000,
                    "How long a follower waits for the leader to take a forwarded event before it tries again"),
            new ConfigKey("provenance", Type.STRING, "enforce",
                    "Before acting on a pod, check the event could come from it (hostname = its node, container.id"
                            + " = one of its containers): enforce (a mismatch is ignored), warn (logged, acted on) or"
                            + " off"),
            new ConfigKey("protected.namespaces", Type.LIST, List.of(),
                    "Namespaces Talon never acts in, beside kube-system, kube-public, kube-node-lease and its own"),
            new ConfigKey("protected.names", Type.LIST, List.of(),
                    "Objects Talon never acts on: name (any namespace, nodes and cluster objects too) or"
                            + " namespace/name"),
            new ConfigKey("protected.labels", Type.LIST, List.of(),
                    "Label selectors of objects Talon never acts on: key=value[,key=value...], key!=value, key"
                            + " (an object matching any one is protected)"),
            new ConfigKey("audit.file", Type.STRING, "",
                    "JSON Lines file of the audit trail: one record per decision (docs/audit.md); empty: no file"),
            new ConfigKey("audit.max_file_bytes", Type.INTEGER, 10485760,
                    "Size at which the audit file rotates (file.1, file.2, ...)"),
            new ConfigKey("audit.max_files", Type.INTEGER, 5,
                    "Rotated audit files kept besides the current one; older ones are deleted"),
            new ConfigKey("audit.queue_size", Type.INTEGER, 10000,
                    "Audit records waiting to be written; beyond it records are dropped (counted), never the"
                            + " intake held up"),
            new ConfigKey("audit.notifiers", Type.LIST, List.of(),
                    "Notifiers that also receive every audit record"),
            new ConfigKey("reverts.interval_seconds", Type.INTEGER, 30,
                    "How often Talon looks for due reverts of actions with a ttl (docs/reversible-actions.md)"),
            new ConfigKey("kafka.enabled", Type.BOOLEAN, false,
                    "Kafka mode: the intake stores events in kafka.topic; replicas in kafka.group_id process them"),
            new ConfigKey("kafka.brokers", Type.STRING, "",
                    "Kafka bootstrap servers, host:port[,host:port...] (required in Kafka mode)"),
            new ConfigKey("kafka.topic", Type.STRING, "falco-talon-events",
                    "Topic of the events, keyed by namespace/pod (hostname without a pod)"),
            new ConfigKey("kafka.group_id", Type.STRING, "falco-talon",
                    "Consumer group of the replicas that share the topic's partitions"),
            new ConfigKey("kafka.consume_topic", Type.STRING, "",
                    "A topic Falcosidekick's Kafka output fills: its events are re-keyed by pod into kafka.topic"),
            new ConfigKey("kafka.send_timeout_ms", Type.INTEGER, 5000,
                    "How long the intake waits for the broker (metadata, then acknowledgement) before answering 503"),
            new ConfigKey("kafka.notification_timeout_ms", Type.INTEGER, 10000,
                    "How long a consumer waits for an event's notifications before committing its offset anyway"),
            new ConfigKey("kafka.session_timeout_ms", Type.INTEGER, 45000,
                    "Consumer session timeout: how soon the partitions of a replica that died move to the others"),
            // upstream Falco Talon's OpenTelemetry settings (docs/tracing.md), then the cloud and artifact-output
            // ones: known and checked here, used by their issues
            new ConfigKey("otel.traces_enabled", Type.BOOLEAN, false,
                    "Send OpenTelemetry traces (one per event) to the collector by OTLP/gRPC"),
            new ConfigKey("otel.metrics_enabled", Type.BOOLEAN, false,
                    "Push Talon's counters to the OpenTelemetry collector too, by OTLP/gRPC (/metrics serves them"
                            + " either way)"),
            new ConfigKey("otel.collector_endpoint", Type.STRING, "localhost",
                    "Host of the OpenTelemetry collector (OTLP over gRPC)"),
            new ConfigKey("otel.collector_port", Type.INTEGER, 4317, "Port of the OpenTelemetry collector"),
            new ConfigKey("otel.collector_use_insecure_grpc", Type.BOOLEAN, false,
                    "Talk to the collector without TLS"),
            new ConfigKey("otel.timeout", Type.INTEGER, 10, "Timeout of a collector export, in seconds"),
            new ConfigKey("aws.region", Type.STRING, "",
                    "AWS region of the aws:* actionners and the aws:s3 output (empty: the SDK's default chain)"),
            new ConfigKey("aws.access_key", Type.STRING, "",
                    "AWS access key id (empty: the SDK's default credential chain); set with aws.secret_key"),
            new ConfigKey("aws.secret_key", Type.STRING, "", "AWS secret access key; set with aws.access_key"),
            new ConfigKey("aws.role_arn", Type.STRING, "", "An IAM role to assume for the AWS calls"),
            new ConfigKey("aws.external_id", Type.STRING, "",
                    "External id used when assuming aws.role_arn (ignored without it, as upstream does)"),
            new ConfigKey("aws.endpoint", Type.STRING, "",
                    "Endpoint URL of the AWS calls (aws:lambda; the aws:s3 output), such as a VPC endpoint or an"
                            + " S3-compatible store (http(s)://host[:port]); S3 buckets are then addressed path-style"),
            new ConfigKey("gcp.region", Type.STRING, "", "GCP region of the gcp:* actionners"),
            new ConfigKey("gcp.credentials_path", Type.STRING, "",
                    "GCP service-account credentials file (empty: the application default credentials)"),
            new ConfigKey("minio.endpoint", Type.STRING, "", "MinIO endpoint, host[:port], of the minio:s3 output"),
            new ConfigKey("minio.access_key", Type.STRING, "", "MinIO access key; set with minio.secret_key"),
            new ConfigKey("minio.secret_key", Type.STRING, "", "MinIO secret key; set with minio.access_key"),
            new ConfigKey("minio.use_ssl", Type.BOOLEAN, false, "Talk to MinIO over HTTPS"));
}
