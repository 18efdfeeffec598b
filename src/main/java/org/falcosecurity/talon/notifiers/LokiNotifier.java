package org.falcosecurity.talon.notifiers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.falcosecurity.talon.camel.ActionResult;
import org.falcosecurity.talon.config.TalonConfig;

import java.time.Instant;
import java.util.Map;

/**
 * Builds the Loki push request of {@code routes/notifier-loki.camel.yaml} ({@code notifiers.loki.*}):
 * {@code POST <url>/loki/api/v1/push} with one stream labelled status, rule, action, actionner, namespace and pod,
 * whose one line is the result record as JSON. Basic auth when {@code user} and {@code api_key} are set,
 * {@code X-Scope-OrgID} for {@code tenant}, then the {@code custom_headers}.
 */
public class LokiNotifier {

    static final String PUSH_PATH = "/loki/api/v1/push";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final NotifierSettings settings;

    public LokiNotifier(TalonConfig config) {
        this.settings = NotifierSettings.of(config, "loki");
    }

    public void prepare(Exchange exchange) throws Exception {
        ActionResult r = exchange.getMessage().getBody(ActionResult.class);
        Message m = HttpNotifiers.request(exchange, HttpNotifiers.base(settings.string("url")) + PUSH_PATH, "POST",
                JSON.writeValueAsString(push(r)));
        HttpNotifiers.headers(m, settings.headers("custom_headers"));
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        m.setHeader("User-Agent", "Falco-Talon");
        if (!settings.string("tenant").isEmpty()) {
            m.setHeader("X-Scope-OrgID", settings.string("tenant"));
        }
        if (settings.isSet("user") && settings.isSet("api_key")) {
            m.setHeader("Authorization", HttpNotifiers.basicAuth(settings.string("user"), settings.string("api_key")));
        }
    }

    static ObjectNode push(ActionResult r) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode stream = root.putArray("streams").addObject();
        ObjectNode labels = stream.putObject("stream");
        label(labels, "status", r.getStatus());
        label(labels, "rule", r.getRule());
        label(labels, "action", r.getAction());
        label(labels, "actionner", r.getActionner());
        Map<String, String> objects = r.getObjects();
        label(labels, "namespace", objects.get("namespace"));
        label(labels, "pod", objects.get("pod"));
        ArrayNode value = stream.putArray("values").addArray();
        value.add(unixNanos(r.getTime()));
        value.add(r.getJson());
        return root;
    }

    private static void label(ObjectNode labels, String name, String value) {
        if (value != null && !value.isEmpty()) {
            labels.put(name, value);
        }
    }

    static String unixNanos(String time) {
        Instant t;
        try {
            t = Instant.parse(time);
        } catch (RuntimeException e) {
            t = Instant.now();
        }
        return String.valueOf(Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano()));
    }
}
