package org.falcosecurity.talon.notifiers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.falcosecurity.talon.catalog.Checks;
import org.falcosecurity.talon.config.Secrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;

/**
 * The composable index template of the {@code elasticsearch} and {@code opensearch} notifiers
 * ({@code create_index_template}, {@code number_of_shards}, {@code number_of_replicas}, as upstream Falco Talon
 * documents them): for the indices {@code <index>*}, keyword mappings for the fields people filter on (status, rule,
 * action, actionner, trace_id, falco_rule, priority, source, hostname, every {@code objects.*} and {@code context.*}
 * entry, the objects flattened at the top level), full text for message, output, error and event, dates for
 * {@code time} and {@code @timestamp}. It is created when absent ({@code PUT _index_template/<index>?create=true}),
 * never replaced: a template someone changed stays as it is.
 *
 * <p>It is made before the first document is indexed, not at startup, so a search cluster that is down when Talon
 * starts delays nothing. A failure (no permission on templates, cluster down) is logged and retried at most once a
 * minute; the documents are indexed anyway, with the cluster's dynamic mappings.
 */
final class IndexTemplate {

    /** Sends {@code PUT <path>} with a JSON body; returns the answer (4xx and 5xx included). */
    @FunctionalInterface
    interface Sender {
        Answer put(String path, String json) throws IOException;
    }

    /** An HTTP answer: status and body. */
    record Answer(int status, String body) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(IndexTemplate.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long RETRY_NANOS = 60_000_000_000L;
    /** Above the built-in templates of Elasticsearch ({@code logs-*-*}: 100), so an index named logs-... works. */
    static final int PRIORITY = 200;
    private static final List<String> KEYWORDS = List.of("trace_id", "status", "rule", "action", "actionner",
            "falco_rule", "priority", "source", "hostname");
    private static final List<String> TEXTS = List.of("message", "output", "error", "event");

    private final String notifier;
    private final String index;
    private final int shards;
    private final int replicas;
    private volatile Sender sender;
    private volatile boolean done;
    private volatile long lastAttempt;

    IndexTemplate(String notifier, String index, int shards, int replicas) {
        this.notifier = notifier;
        this.index = index;
        this.shards = shards;
        this.replicas = replicas;
    }

    /** The client to send the template with (set when the notifier's component is configured). */
    void use(Sender s) {
        this.sender = s;
    }

    /** Creates the template if it is not done yet and no attempt failed within the last minute. */
    void ensure() {
        Sender s = sender;
        if (done || s == null) {
            return;
        }
        synchronized (this) {
            long now = System.nanoTime();
            if (done || (lastAttempt != 0 && now - lastAttempt < RETRY_NANOS)) {
                return;
            }
            lastAttempt = now;
            try {
                Answer a = s.put("/_index_template/" + index + "?create=true", body(index, shards, replicas));
                if (a.status() / 100 == 2) {
                    LOG.info("{} notifier: created the index template {} for {}*", notifier, index, index);
                    done = true;
                } else if (a.status() == 400 && a.body().contains("already exists")) {
                    done = true; // someone's template of that name: left as it is
                } else {
                    LOG.warn("{} notifier: creating the index template {} failed with HTTP {}: {}; documents are"
                            + " indexed without it (retried in a minute)", notifier, index, a.status(),
                            Checks.truncate(a.body().replaceAll("[\\r\\n]+", " "), 300));
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("{} notifier: cannot create the index template {}: {} (retried in a minute)", notifier,
                        index, Secrets.describe(e));
            }
        }
    }

    /** The template's JSON. */
    static String body(String index, int shards, int replicas) {
        ObjectNode root = JSON.createObjectNode();
        root.putArray("index_patterns").add(index + "*");
        root.put("priority", PRIORITY);
        ObjectNode template = root.putObject("template");
        ObjectNode settings = template.putObject("settings");
        settings.put("number_of_shards", shards);
        settings.put("number_of_replicas", replicas);
        ObjectNode mappings = template.putObject("mappings");
        // any other string (objects.*, context.*, the objects flattened at the top level) is a keyword
        mappings.putArray("dynamic_templates").addObject().putObject("strings_as_keywords")
                .put("match_mapping_type", "string")
                .putObject("mapping").put("type", "keyword").put("ignore_above", 1024);
        ObjectNode props = mappings.putObject("properties");
        props.putObject("@timestamp").put("type", "date_nanos");
        props.putObject("time").put("type", "date_nanos");
        KEYWORDS.forEach(k -> props.putObject(k).put("type", "keyword").put("ignore_above", 1024));
        TEXTS.forEach(t -> props.putObject(t).put("type", "text"));
        ObjectNode objects = props.putObject("objects").putObject("properties");
        objects.putObject("namespace").put("type", "keyword");
        objects.putObject("pod").put("type", "keyword");
        root.putObject("_meta").put("description", "Falco Talon action results").put("managed_by", "falco-talon");
        return root.toString();
    }
}
