package org.falcosecurity.talon.replicas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.falcosecurity.talon.dispatch.EventDeduplicator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Hands the deduplication window from a leader that stops to the next one, so an event posted to two replicas
 * around a graceful failover still runs once. The stopping leader, once its queues are empty and before it releases
 * the Lease, writes the window's live keys (newest first, at most {@link #MAX_CHARS} characters of keys) to the
 * ConfigMap {@code <lease_name>-handover} in Talon's namespace; the next leader reads it before it acts and keeps
 * the keys until their own expiry. A leader that dies hands nothing over: an event it had seen may then run again
 * if it is posted again within the window (docs/scale-out.md).
 */
public final class DedupHandover {

    private static final Logger LOG = LoggerFactory.getLogger("falco-talon.replicas");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Well under a ConfigMap's 1 MiB: about 10,000 keys of the 44-character digests deduplication keeps. */
    static final int MAX_CHARS = 600_000;
    static final String KEY = "deduplication.json";

    private final KubernetesClient client;
    private final ReplicaIdentity me;
    private final String name;
    private final EventDeduplicator window;

    public DedupHandover(KubernetesClient client, ReplicaIdentity me, String leaseName, EventDeduplicator window) {
        this.client = client;
        this.me = me;
        this.name = leaseName + "-handover";
        this.window = window;
    }

    /** Writes this replica's window (the leader, stopping). Never throws: a failed hand-over is only logged. */
    public void handOver() {
        if (window.windowSeconds() == 0) {
            return;
        }
        List<Map.Entry<String, Long>> keys = window.snapshot(MAX_CHARS);
        ObjectNode doc = JSON.createObjectNode();
        doc.put("written_by", me.name());
        doc.put("written_ms", System.currentTimeMillis());
        ArrayNode arr = doc.putArray("keys");
        keys.forEach(e -> arr.addObject().put("key", e.getKey()).put("expires_ms", e.getValue()));
        ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(me.namespace())
                .addToLabels("app.kubernetes.io/name", "falco-talon")
                .addToLabels("app.kubernetes.io/part-of", "falco-talon").endMetadata()
                .addToData(KEY, doc.toString()).build();
        try {
            client.configMaps().inNamespace(me.namespace()).resource(cm).createOr(r -> r.update());
            LOG.info("handed {} deduplication key(s) over to the next leader (ConfigMap {}/{})", keys.size(),
                    me.namespace(), name);
        } catch (KubernetesClientException e) {
            LOG.warn("cannot hand the deduplication window over ({}): the next leader starts with an empty one",
                    LeaseProblems.describe(e));
        }
    }

    /** Reads what the previous leader handed over (the new leader, before it acts); returns the keys added. */
    public int takeOver() {
        if (window.windowSeconds() == 0) {
            return 0;
        }
        try {
            ConfigMap cm = client.configMaps().inNamespace(me.namespace()).withName(name).get();
            String json = cm == null || cm.getData() == null ? null : cm.getData().get(KEY);
            if (json == null) {
                return 0;
            }
            JsonNode doc = JSON.readTree(json);
            if (me.name().equals(doc.path("written_by").asText())) {
                return 0;
            }
            List<Map.Entry<String, Long>> keys = new ArrayList<>();
            for (JsonNode k : doc.path("keys")) {
                if (k.path("key").isTextual() && k.path("expires_ms").canConvertToLong()) {
                    keys.add(Map.entry(k.path("key").asText(), k.path("expires_ms").asLong()));
                }
            }
            int added = window.seed(keys);
            if (added > 0) {
                LOG.info("took over {} deduplication key(s) from '{}'", added, doc.path("written_by").asText());
            }
            return added;
        } catch (KubernetesClientException e) {
            LOG.warn("cannot read the deduplication window handed over ({}): starting with an empty one",
                    LeaseProblems.describe(e));
        } catch (IOException e) {
            LOG.warn("the deduplication window handed over in ConfigMap {} is not readable: ignored", name);
        }
        return 0;
    }
}
