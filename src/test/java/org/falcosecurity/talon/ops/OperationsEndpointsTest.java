package org.falcosecurity.talon.ops;

import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Item 3 of "secure by default", real HTTP requests to the running application: {@code /observe/health} says UP or
 * DOWN and nothing else (no route, no check, whatever the query asks); {@code auth.protect_metrics} puts
 * {@code /metrics} behind the intake's token, however the path is written.
 */
class OperationsEndpointsTest {

    private static final String RULES = "- rule: any\n  actions: [{action: log, actionner: custom:log}]\n";

    @Test
    void healthSaysUpOrDownOnlyWhateverTheQueryAsks() throws Exception {
        try (TalonTestServer t = TalonTestServer.builder().rules(RULES).withoutKubernetesCluster().start()) {
            for (String path : new String[] {"/observe/health", "/observe/health?exposureLevel=full",
                "/observe/health?exposureLevel=full&stackTrace=true&data=true", "/observe/health/ready",
                "/observe/health/live?exposureLevel=default", "/observe/health/?exposureLevel=full"}) {
                HttpResponse<String> r = t.send("GET", path, null, null);
                assertThat(r.statusCode()).as(path).isEqualTo(200);
                assertThat(r.body().replaceAll("\\s", "")).as(path).isEqualTo("{\"status\":\"UP\"}");
            }
            // the probes' own endpoints are unchanged
            assertThat(t.send("GET", "/healthz", null, null).body()).isEqualTo("{\"status\":\"ok\"}");
            assertThat(t.send("GET", "/readyz", null, null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void protectMetricsRequiresTheTokenOnEverySpellingOfThePath() throws Exception {
        try (TalonTestServer t = TalonTestServer.builder().rules(RULES).withoutKubernetesCluster()
                .env("AUTH_TOKEN", "m3tr1cs-t0ken").env("AUTH_PROTECT_METRICS", "true").start()) {
            for (String path : new String[] {"/metrics", "/metrics/", "//metrics", "/./metrics", "/x/../metrics",
                "/metrics?format=text", "/%6detrics"}) {
                // never the metrics without the token: 401 where the path reaches them (a path that reaches
                // nothing is 404 either way)
                HttpResponse<String> open = t.send("GET", path, null, null, null);
                assertThat(open.statusCode()).as(path).isIn(401, 404);
                assertThat(open.body()).as(path).doesNotContain("falco_talon");
                HttpResponse<String> wrong = t.send("GET", path, null, null, "Bearer wrong");
                assertThat(wrong.statusCode()).as(path).isIn(401, 404);
                assertThat(wrong.body()).as(path).doesNotContain("falco_talon");
                HttpResponse<String> right = t.send("GET", path, null, null, "Bearer m3tr1cs-t0ken");
                if (right.statusCode() == 200) {
                    assertThat(open.statusCode()).as(path + " reaches the metrics: refused without the token")
                            .isEqualTo(401);
                }
            }
            assertThat(t.send("GET", "/metrics", null, null, null).statusCode()).isEqualTo(401);
            assertThat(t.send("GET", "/metrics/", null, null, null).statusCode()).isEqualTo(401);
            HttpResponse<String> ok = t.send("GET", "/metrics", null, null, "Bearer m3tr1cs-t0ken");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).contains("falco_talon_");
            // a scraper given the token as Basic credentials works too
            assertThat(t.send("GET", "/metrics", null, null, "Basic " + java.util.Base64.getEncoder()
                    .encodeToString("prometheus:m3tr1cs-t0ken".getBytes())).statusCode()).isEqualTo(200);
            // the probes stay open
            assertThat(t.send("GET", "/healthz", null, null, null).statusCode()).isEqualTo(200);
            assertThat(t.send("GET", "/readyz", null, null, null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void withoutProtectMetricsTheScraperNeedsNoToken() throws Exception {
        try (TalonTestServer t = TalonTestServer.builder().rules(RULES).withoutKubernetesCluster()
                .env("AUTH_TOKEN", "intake-only").start()) {
            HttpResponse<String> r = t.send("GET", "/metrics", null, null, null);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("falco_talon_");
            // while the intake still requires it
            assertThat(t.send("POST", "/", "{}", "application/json", null).statusCode()).isEqualTo(401);
        }
    }
}
