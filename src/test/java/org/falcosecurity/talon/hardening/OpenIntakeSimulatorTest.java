package org.falcosecurity.talon.hardening;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.falcosecurity.talon.server.TalonStartupException;
import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Item 1 of "secure by default", on the fabric8 API simulator (a cluster is configured): Talon does not start an
 * open intake while it holds cluster credentials, unless told so explicitly; with a token it takes the forms
 * Falcosidekick and Falco send (Bearer, and Basic with the token as the password); with no cluster the intake may
 * stay open.
 */
@EnableKubernetesMockClient(crud = true)
class OpenIntakeSimulatorTest {

    static KubernetesClient client;

    private static final String RULES = """
            - rule: terminate
              match: {rules: [Terminal shell in container]}
              actions: [{action: t, actionner: kubernetes:terminate}]
            """;

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aClusterAndNoTokenRefusesToStartNamingTheSettings() {
        TalonStartupException e = catchThrowableOfType(TalonStartupException.class, () ->
                TalonTestServer.builder().config("auth:\n  token: \"\"\n").rules(RULES).kubernetesClient(client)
                        .start().close());
        assertThat(e).isNotNull();
        assertThat(e.summary()).isEqualTo("refusing to start an open intake");
        assertThat(e.problems()).singleElement().asString()
                .contains("a Kubernetes cluster is configured")
                .contains("auth.token (AUTH_TOKEN)", "auth.token_file (AUTH_TOKEN_FILE)",
                        "auth.allow_unauthenticated: true");
    }

    @Test
    void theExplicitOptOutStartsOpen() throws Exception {
        client.resource(new PodBuilder().withNewMetadata().withName("cncf-55696bc998-ql5qd").withNamespace("default")
                .endMetadata().withNewSpec().withNodeName("worker-1").endSpec().build()).create();
        try (TalonTestServer t = TalonTestServer.builder().config("auth:\n  allow_unauthenticated: true\n")
                .rules(RULES).kubernetesClient(client).start()) {
            assertThat(t.token()).isEmpty();
            assertThat(t.send("POST", "/", Events.load("terminal-shell.json"), "application/json", null)
                    .statusCode()).isEqualTo(200);
        }
    }

    @Test
    void bearerAndBasicWithTheTokenAsPasswordAreAcceptedAndNothingElse() throws Exception {
        try (TalonTestServer t = TalonTestServer.builder().env("AUTH_TOKEN", "Zq8sK2vLr0").rules(RULES)
                .kubernetesClient(client).start()) {
            String event = Events.load("terminal-shell.json");
            // Falcosidekick's webhook customHeaders, curl
            assertThat(t.send("POST", "/", event, "application/json", "Bearer Zq8sK2vLr0").statusCode())
                    .isEqualTo(200);
            // Falcosidekick's talon output and Falco's http_output: the user-info of the address, any user
            assertThat(t.send("POST", "/", event, "application/json", basic("talon", "Zq8sK2vLr0")).statusCode())
                    .isEqualTo(200);
            assertThat(t.send("POST", "/", event, "application/json", basic("", "Zq8sK2vLr0")).statusCode())
                    .isEqualTo(200);
            assertThat(t.send("POST", "/", event, "application/json", "basic " + Base64.getEncoder()
                    .encodeToString("u:Zq8sK2vLr0".getBytes(StandardCharsets.UTF_8))).statusCode()).isEqualTo(200);
            for (String bad : new String[] {null, basic("talon", "Zq8sK2vLr"), basic("Zq8sK2vLr0", ""),
                "Basic " + Base64.getEncoder().encodeToString("Zq8sK2vLr0".getBytes(StandardCharsets.UTF_8)),
                "Basic not-base64!", "Bearer  Zq8sK2vLr0", "Digest Zq8sK2vLr0", "Zq8sK2vLr0", "Bearer"}) {
                HttpResponse<String> r = t.send("POST", "/", event, "application/json", bad);
                assertThat(r.statusCode()).as(String.valueOf(bad)).isEqualTo(401);
                assertThat(r.body()).isEqualTo("{\"error\":\"unauthorized\",\"message\":\"unauthorized\"}");
            }
        }
    }

    @Test
    void withNoClusterTheIntakeMayStayOpen() throws Exception {
        try (TalonTestServer t = TalonTestServer.builder().rules(RULES).withoutKubernetesCluster().start()) {
            assertThat(t.token()).isEmpty();
            assertThat(t.send("POST", "/", Events.load("terminal-shell.json"), "application/json", null)
                    .statusCode()).isEqualTo(200);
        }
    }
}
