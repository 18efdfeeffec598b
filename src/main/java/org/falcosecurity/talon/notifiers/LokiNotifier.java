package org.falcosecurity.talon.notifiers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.falcosecurity.talon.catalog.NotifierSpec;
import org.falcosecurity.talon.catalog.SettingSpec;
import org.falcosecurity.talon.contract.ActionResult;

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

    public static final BuiltinNotifier BUILTIN = new BuiltinNotifier(NotifierSpec.builder("loki")
            .workers(4)
            .description("A Loki push (POST <url>/loki/api/v1/push): one stream labelled status, rule, action,"
                    + " actionner, namespace and pod; the line is the result record")
            .setting(SettingSpec.text("url", "Loki's base URL").asRequired().withCheck(NotifierValidator::url))
            .setting(SettingSpec.text("user", "Basic-auth user"))
            .setting(SettingSpec.text("api_key", "Basic-auth password (API key)").asSecret())
            .setting(SettingSpec.text("tenant", "Sent as X-Scope-OrgID").withCheck(NotifierValidator::headerValue))
            .setting(SettingSpec.headers("custom_headers", "Extra HTTP headers"))
            .renamed("host_port", "url")
            .pair("user", "api_key")
            .example("""
                    loki:
                      url: http://loki.monitoring:3100
                      tenant: security
                    """)
            .build(),
            c -> new LokiNotifier(c.settings()), HttpNotifiers::configureClient);

    private final NotifierSettings settings;

    public LokiNotifier(NotifierSettings settings) {
        this.settings = settings;
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
        String v = labelValue(value);
        if (!v.isEmpty()) {
            labels.put(name, v);
        }
    }

    /** Longest label value sent, in UTF-8 bytes (Loki refuses a push whose values exceed its limit, 2048 by default). */
    static final int LABEL_LIMIT = 1024;

    /**
     * A label value as Loki can index it: control characters (CR, LF, NUL, ESC, ...) and the Unicode line
     * separators become {@code _}, and the value is cut to {@link #LABEL_LIMIT} bytes. Namespace and pod come from the
     * event; the line itself keeps the whole result as JSON.
     */
    static String labelValue(String value) {
        if (value == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(value.length());
        value.codePoints().forEach(cp -> sb.appendCodePoint(Character.getType(cp) == Character.CONTROL
                || cp == 0x2028 || cp == 0x2029 ? '_' : cp));
        return KubernetesEventNotifier.utf8Limit(sb.toString(), LABEL_LIMIT);
    }

    static String unixNanos(Instant t) {
        return String.valueOf(Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano()));
    }
}
