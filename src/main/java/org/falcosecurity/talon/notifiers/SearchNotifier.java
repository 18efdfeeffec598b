package org.falcosecurity.talon.notifiers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.falcosecurity.talon.camel.ActionResult;
import org.falcosecurity.talon.config.TalonConfig;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Builds the document and index of the {@code elasticsearch} and {@code opensearch} notifiers: the result record plus
 * {@code @timestamp}, indexed into {@code index} with the date {@code suffix} of the result's time (UTC):
 * {@code falco-talon-2026.11.27} (daily), {@code -2026.11} (monthly), {@code -2026} (annually), or none.
 * Connection, auth and custom headers live in the client {@link SearchClients} builds.
 */
public class SearchNotifier {

    /** The header camel-elasticsearch and camel-opensearch read the index name from. */
    public static final String INDEX_HEADER = "indexName";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final NotifierSettings settings;

    public SearchNotifier(TalonConfig config, String notifier) {
        this.settings = NotifierSettings.of(config, notifier);
    }

    public void prepare(Exchange exchange) throws Exception {
        ActionResult r = exchange.getMessage().getBody(ActionResult.class);
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader(INDEX_HEADER, index(settings.string("index"), settings.string("suffix"), time(r)));
        m.setBody(JSON.writeValueAsString(document(r)));
    }

    static ObjectNode document(ActionResult r) throws java.io.IOException {
        ObjectNode doc = (ObjectNode) JSON.readTree(r.getJson());
        doc.put("@timestamp", time(r).toString());
        return doc;
    }

    static String index(String index, String suffix, Instant time) {
        String pattern = switch (suffix) {
            case "daily" -> "yyyy.MM.dd";
            case "monthly" -> "yyyy.MM";
            case "annually" -> "yyyy";
            default -> null;
        };
        return pattern == null ? index
                : index + "-" + DateTimeFormatter.ofPattern(pattern).withZone(ZoneOffset.UTC).format(time);
    }

    private static Instant time(ActionResult r) {
        try {
            return Instant.parse(r.getTime());
        } catch (RuntimeException e) {
            return Instant.now();
        }
    }
}
