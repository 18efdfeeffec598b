package org.falcosecurity.talon.replicas;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Objects;

/**
 * fabric8's leader election on a {@code coordination.k8s.io/v1} Lease, as fabric8's own {@code LeaseLock}, plus one
 * annotation: while a replica holds the Lease, the URL the others forward events to ({@link #LEADER_URL}). Every
 * update is a replace at the resource version last read, so two replicas never both win the same round (the API
 * server answers 409 to the second).
 *
 * <p>fabric8's elector logs every failed round as an error with a stack trace; its logger is off in Talon's log
 * configurations and {@link LeaseProblems} says what went wrong instead, once per kind of problem.
 *
 * <p>The election loop reads the Lease every retry period; the holder and its URL seen on the last read are kept
 * ({@link #observed}), so followers know where to forward without another API call.
 */
final class LeaseLock implements Lock {

    /** The leader's URL, written by the holder itself. */
    static final String LEADER_URL = "falco-talon.falcosecurity.org/leader-url";

    /** What the last read of the Lease said: the holder (null: none) and its URL (null: not advertised). */
    record Observed(String holder, String url) {
    }

    private final String namespace;
    private final String name;
    private final String identity;
    private final String url;
    private final LeaseProblems problems;
    private Lease lease;
    private volatile Observed observed = new Observed(null, null);

    LeaseLock(String namespace, String name, String identity, String url) {
        this.namespace = Objects.requireNonNull(namespace);
        this.name = Objects.requireNonNull(name);
        this.identity = Objects.requireNonNull(identity);
        this.url = Objects.requireNonNull(url);
        this.problems = new LeaseProblems(describe());
    }

    @Override
    public synchronized LeaderElectionRecord get(KubernetesClient client) {
        try {
            lease = client.leases().inNamespace(namespace).withName(name).get();
            problems.clear();
        } catch (KubernetesClientException e) {
            problems.report("read", e);
            throw e;
        }
        if (lease == null || lease.getSpec() == null) {
            observed = new Observed(null, null);
            return null;
        }
        LeaseSpec s = lease.getSpec();
        Map<String, String> annotations = lease.getMetadata().getAnnotations();
        String holderUrl = annotations == null ? null : annotations.get(LEADER_URL);
        observed = new Observed(blankToNull(s.getHolderIdentity()), blankToNull(holderUrl));
        ZonedDateTime epoch = Instant.EPOCH.atZone(ZoneOffset.UTC);
        ZonedDateTime acquired = s.getAcquireTime() != null ? s.getAcquireTime() : epoch;
        // a Lease written by another tool may lack the times: treat it as long expired
        ZonedDateTime renewed = s.getRenewTime() != null ? s.getRenewTime() : acquired;
        return new LeaderElectionRecord(s.getHolderIdentity(),
                Duration.ofSeconds(s.getLeaseDurationSeconds() == null ? 0 : s.getLeaseDurationSeconds()),
                acquired, renewed, s.getLeaseTransitions() == null ? 0 : s.getLeaseTransitions());
    }

    @Override
    public synchronized void create(KubernetesClient client, LeaderElectionRecord record) {
        try {
            lease = client.leases().inNamespace(namespace).resource(toLease(record, null)).create();
        } catch (KubernetesClientException e) {
            problems.report("create", e);
            throw e;
        }
    }

    @Override
    public synchronized void update(KubernetesClient client, LeaderElectionRecord record) {
        Objects.requireNonNull(lease, "get or create must be called first");
        try {
            lease = client.leases().inNamespace(namespace)
                    .resource(toLease(record, lease.getMetadata().getResourceVersion())).update();
        } catch (KubernetesClientException e) {
            problems.report("update", e);
            throw e;
        }
    }

    private Lease toLease(LeaderElectionRecord record, String resourceVersion) {
        boolean mine = identity.equals(record.getHolderIdentity());
        long seconds = Math.max(1, (record.getLeaseDuration().toMillis() + 999) / 1000);
        return new LeaseBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(name)
                .withResourceVersion(resourceVersion)
                .addToLabels("app.kubernetes.io/name", "falco-talon")
                .addToLabels("app.kubernetes.io/part-of", "falco-talon")
                .addToAnnotations(LEADER_URL, mine ? url : "")
                .endMetadata()
                .withNewSpec()
                .withHolderIdentity(record.getHolderIdentity())
                .withLeaseDurationSeconds((int) seconds)
                .withAcquireTime(record.getAcquireTime())
                .withRenewTime(record.getRenewTime())
                .withLeaseTransitions(record.getLeaderTransitions())
                .endSpec()
                .build();
    }

    Observed observed() {
        return observed;
    }

    @Override
    public String identity() {
        return identity;
    }

    @Override
    public String describe() {
        return "Lease " + namespace + "/" + name + " (" + identity + ")";
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
