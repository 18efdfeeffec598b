package org.falcosecurity.talon.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * Talon's settings, typed: {@link ConfigBinder} binds the YAML file and the environment onto these records with
 * Jackson (snake_case names: {@code listen_port} is {@link #listenPort}), after filling in every default of
 * {@link ConfigKey#ALL}. A test checks that the keys and the record components are the same set.
 */
public record Settings(
        String listenAddress,
        int listenPort,
        List<String> rulesFiles,
        boolean watchRules,
        boolean printAllEvents,
        String routesDirectory,
        String kubeconfig,
        String logFormat,
        List<String> defaultNotifiers,
        boolean dryRun,
        int maxBodyBytes,
        int maxArtifactBytes,
        int queueSize,
        int queueMaxBytes,
        int workers,
        Deduplication deduplication,
        Auth auth,
        Tls tls,
        BlastRadius blastRadius,
        Replicas replicas,
        String provenance,
        @JsonProperty("protected") Protection protection,
        Audit audit,
        Reverts reverts,
        Kafka kafka,
        Otel otel,
        Aws aws,
        Gcp gcp,
        Minio minio) {

    public record Deduplication(boolean leaderElection, int timeWindowSeconds, String key, int maxEntries) {
    }

    public record Auth(String token, String tokenFile, boolean allowUnauthenticated, boolean protectMetrics) {
    }

    /** {@code protected.*}: what Talon never acts on, beside what it always protects. */
    public record Protection(List<String> namespaces, List<String> names, List<String> labels) {
    }

    public record Tls(String keystore, String keystorePassword, String truststore, String truststorePassword,
                      String clientAuth) {
    }

    public record BlastRadius(int windowSeconds, int maxActions, int maxActionsPerRule, int maxActionsPerWorkload,
                              List<String> actionners) {
    }

    /** Several replicas: the Lease, the leader's address, the shared counters (the replicas package). */
    public record Replicas(String namespace, String identity, String advertiseUrl, String leaseName,
                           int leaseDurationMs, int renewDeadlineMs, int retryPeriodMs, int forwardTimeoutMs) {
    }

    public record Audit(String file, int maxFileBytes, int maxFiles, int queueSize, List<String> notifiers) {
    }

    public record Reverts(int intervalSeconds) {
    }

    public record Kafka(boolean enabled, String brokers, String topic, String groupId, String consumeTopic,
                        int sendTimeoutMs, int notificationTimeoutMs, int sessionTimeoutMs) {
    }

    /** Upstream's OpenTelemetry settings (the telemetry package). */
    public record Otel(boolean tracesEnabled, boolean metricsEnabled, String collectorEndpoint, int collectorPort,
                       boolean collectorUseInsecureGrpc, int timeout) {
    }

    /** Upstream's AWS settings (used by the cloud actionners and outputs). */
    public record Aws(String region, String accessKey, String secretKey, String roleArn, String externalId,
                      String endpoint) {
    }

    /** Upstream's GCP settings. */
    public record Gcp(String region, String credentialsPath) {
    }

    /** Upstream's MinIO settings (the minio:s3 output). */
    public record Minio(String endpoint, String accessKey, String secretKey, boolean useSsl) {
    }
}
