package org.falcosecurity.talon.hardening;

import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** auth.token / auth.token_file: the intake requires a bearer token and says nothing beyond "unauthorized". */
class AuthenticatedIntakeTest {

    private static final String RULES = "- rule: any\n  actions: [{action: log, actionner: custom:log}]\n";

    private static HttpResponse<String> post(TalonTestServer t, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(t.uri("/")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Events.load("terminal-shell.json")));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aTokenFromTheEnvironmentIsRequired() throws Exception {
        try (TalonTestServer t = TalonTestServer.builder().rules(RULES).env("AUTH_TOKEN", "s3cr3t-t0ken").start()) {
            for (String bad : new String[] {null, "Bearer wrong", "Bearer s3cr3t-t0ke", "Bearer s3cr3t-t0kenX",
                "s3cr3t-t0ken", "Basic czNjcjN0LXQwa2Vu", "Bearer  s3cr3t-t0ken"}) {
                HttpResponse<String> r = post(t, bad);
                assertThat(r.statusCode()).as(String.valueOf(bad)).isEqualTo(401);
                assertThat(r.body()).isEqualTo("{\"error\":\"unauthorized\",\"message\":\"unauthorized\"}");
                assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
            }
            assertThat(post(t, "Bearer s3cr3t-t0ken").statusCode()).isEqualTo(200);
            // health stays open for probes
            assertThat(t.send("GET", "/healthz", null, null).statusCode()).isEqualTo(200);
            assertThat(t.server().runtime().counters().get("events_rejected", "reason", "unauthorized"))
                    .isEqualTo(7);
        }
    }

    @Test
    void aTokenFromAFile(@TempDir Path dir) throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "from-a-secret\n");
        try (TalonTestServer t = TalonTestServer.builder().rules(RULES).env("AUTH_TOKEN_FILE", token.toString())
                .start()) {
            assertThat(post(t, "Bearer from-a-secret").statusCode()).isEqualTo(200);
            assertThat(post(t, "Bearer from-a-secre").statusCode()).isEqualTo(401);
        }
    }
}
