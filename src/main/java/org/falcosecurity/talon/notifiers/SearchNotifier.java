package org.falcosecurity.talon.notifiers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.es.ElasticsearchComponent;
import org.apache.camel.component.opensearch.OpensearchComponent;
import org.falcosecurity.talon.catalog.NotifierSpec;
import org.falcosecurity.talon.catalog.SettingSpec;
import org.falcosecurity.talon.contract.ActionResult;

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

    private static final java.util.regex.Pattern INDEX_NAME = java.util.regex.Pattern.compile("^[a-z0-9][a-z0-9._-]*$");

    /** Elasticsearch (camel-elasticsearch), on a client with Talon's auth, headers and timeouts. */
    public static final BuiltinNotifier ELASTICSEARCH = new BuiltinNotifier(spec("elasticsearch", "Elasticsearch"),
            c -> new SearchNotifier(c.settings()),
            (camel, c) -> {
                var client = SearchClients.elasticsearch(c.settings(), c.connectTimeoutMs(), c.readTimeoutMs());
                camel.getComponent("elasticsearch", ElasticsearchComponent.class).setClient(client);
                SearchClients.closeOnStop(camel, client);
                bean(camel, "elasticsearch").template.use(SearchClients.templates(client));
            });

    /** OpenSearch (camel-opensearch: Elasticsearch's client cannot talk to OpenSearch). */
    public static final BuiltinNotifier OPENSEARCH = new BuiltinNotifier(spec("opensearch", "OpenSearch"),
            c -> new SearchNotifier(c.settings()),
            (camel, c) -> {
                var client = SearchClients.opensearch(c.settings(), c.connectTimeoutMs(), c.readTimeoutMs());
                camel.getComponent("opensearch", OpensearchComponent.class).setClient(client);
                SearchClients.closeOnStop(camel, client);
                bean(camel, "opensearch").template.use(SearchClients.templates(client));
            });

    /** The formatting bean of a search notifier, bound before its component is configured. */
    private static SearchNotifier bean(org.apache.camel.CamelContext camel, String name) {
        return camel.getRegistry().lookupByNameAndType(name + "Notifier", SearchNotifier.class);
    }

    private static NotifierSpec spec(String name, String product) {
        return NotifierSpec.builder(name)
                .workers(4)
                .description("The result record plus @timestamp, indexed into " + product + " (<index>-<date>)")
                .setting(SettingSpec.text("url", product + "'s URL").asRequired().withCheck(NotifierValidator::url))
                .setting(SettingSpec.text("user", "Basic-auth user"))
                .setting(SettingSpec.text("password", "Basic-auth password").asSecret())
                .setting(SettingSpec.text("index", "The index name, before its date suffix").withDefault("falco-talon")
                        .withCheck(v -> INDEX_NAME.matcher(v).matches() ? null : "must be a lower-case index name"
                                + " (letters, digits, '.', '_', '-'), got '" + v + "'"))
                .setting(SettingSpec.text("suffix", "Date suffix of the index: daily, monthly, annually or none")
                        .withDefault("daily").withCheck(NotifierValidator.oneOf("daily", "monthly", "annually",
                                "none")))
                .setting(SettingSpec.headers("custom_headers", "Extra HTTP headers"))
                .setting(SettingSpec.flag("create_index_template", true, "Create the index template for <index>*"
                        + " (keyword mappings of the fields to filter on) when it does not exist"))
                .setting(SettingSpec.text("number_of_shards", "Shards of the indices (with create_index_template)")
                        .withDefault("3").withCheck(v -> count(v, 1)))
                .setting(SettingSpec.text("number_of_replicas", "Replicas of the indices (with"
                        + " create_index_template)").withDefault("3").withCheck(v -> count(v, 0)))
                .pair("user", "password")
                .renamed("host_port", "url")
                .example("""
                        %s:
                          url: https://%s.example.com:9200
                          user: falco-talon
                          password: changeme
                        """.formatted(name, name))
                .build();
    }

    private final NotifierSettings settings;
    private final IndexTemplate template;

    public SearchNotifier(NotifierSettings settings) {
        this.settings = settings;
        this.template = new IndexTemplate(settings.notifier(), settings.string("index"),
                number(settings.string("number_of_shards"), 3), number(settings.string("number_of_replicas"), 3));
    }

    private static String count(String v, int min) {
        return v.matches("[0-9]{1,4}") && Integer.parseInt(v) >= min ? null
                : "must be an integer of " + min + " or more, got '" + v + "'";
    }

    private static int number(String v, int otherwise) {
        return v.matches("[0-9]{1,4}") ? Integer.parseInt(v) : otherwise;
    }

    public void prepare(Exchange exchange) throws Exception {
        if (settings.bool("create_index_template")) {
            template.ensure();
        }
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
        return r.getTime();
    }
}
