package org.falcosecurity.talon.notifiers;

import org.falcosecurity.talon.config.TalonConfig;
import org.falcosecurity.talon.support.HttpReceiver;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Elasticsearch and OpenSearch clients Talon builds send basic auth and the custom headers with every request,
 * pre-emptively (the Go project dropped them on document writes), under the URL's path prefix.
 */
class SearchClientsTest {

    private static NotifierSettings settings(BuiltinNotifier notifier, String url) throws Exception {
        return NotifierSettings.of(TalonConfig.parse("""
                notifiers:
                  %s:
                    url: '%s'
                    user: elastic
                    password: s3cret
                    custom_headers: {X-Tenant: blue}
                """.formatted(notifier.name(), url), "test.yaml", Map.of()), notifier.spec());
    }

    private static final String BASIC = "Basic " + Base64.getEncoder()
            .encodeToString("elastic:s3cret".getBytes(StandardCharsets.UTF_8));

    @Test
    void elasticsearchClient() throws Exception {
        try (HttpReceiver es = HttpReceiver.answering(200).body("{}");
             var client = SearchClients.elasticsearch(settings(SearchNotifier.ELASTICSEARCH, es.url() + "/es/"), 1000, 1000)) {
            client.performRequest(new org.elasticsearch.client.Request("PUT", "/falco-talon-2026.11.27/_doc/1"));
            client.performRequest(new org.elasticsearch.client.Request("POST", "/_bulk"));
            assertThat(es.requests()).hasSize(2).allSatisfy(r -> {
                assertThat(r.header("Authorization")).isEqualTo(BASIC);
                assertThat(r.header("X-Tenant")).isEqualTo("blue");
                assertThat(r.path()).startsWith("/es/");
            });
        }
    }

    @Test
    void opensearchClient() throws Exception {
        try (HttpReceiver os = HttpReceiver.answering(200).body("{}");
             var client = SearchClients.opensearch(settings(SearchNotifier.OPENSEARCH, os.url()), 1000, 1000)) {
            client.performRequest(new org.opensearch.client.Request("PUT", "/falco-talon-2026.11.27/_doc/1"));
            assertThat(os.requests()).singleElement().satisfies(r -> {
                assertThat(r.header("Authorization")).isEqualTo(BASIC);
                assertThat(r.header("X-Tenant")).isEqualTo("blue");
                assertThat(r.path()).isEqualTo("/falco-talon-2026.11.27/_doc/1");
            });
        }
    }
}
