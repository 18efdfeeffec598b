package org.falcosecurity.talon.hardening;

import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.Keytool;
import org.falcosecurity.talon.support.TalonTestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** tls.*: the intake serves HTTPS, and with client_auth: require only clients with a trusted certificate. */
class TlsIntakeTest {

    private static final String RULES = "- rule: any\n  actions: [{action: log, actionner: custom:log}]\n";
    private static final String PW = "changeit";

    @TempDir
    static Path dir;
    static Path serverKs;
    static Path clientKs;
    static Path trustServer;
    static Path trustClients;

    /** Keys and certificates made with the JDK's keytool: a server, a client, and a truststore for each side. */
    @BeforeAll
    static void certificates() throws Exception {
        serverKs = dir.resolve("server.p12");
        clientKs = dir.resolve("client.p12");
        trustServer = dir.resolve("trust-server.p12");
        trustClients = dir.resolve("trust-clients.p12");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-keystore", serverKs.toString(),
                "-storetype", "PKCS12", "-storepass", PW, "-keypass", PW);
        keytool("-genkeypair", "-alias", "falcosidekick", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=falcosidekick", "-keystore", clientKs.toString(), "-storetype", "PKCS12",
                "-storepass", PW, "-keypass", PW);
        Path serverCert = dir.resolve("server.crt");
        Path clientCert = dir.resolve("client.crt");
        keytool("-exportcert", "-alias", "server", "-keystore", serverKs.toString(), "-storepass", PW, "-file",
                serverCert.toString());
        keytool("-exportcert", "-alias", "falcosidekick", "-keystore", clientKs.toString(), "-storepass", PW, "-file",
                clientCert.toString());
        keytool("-importcert", "-noprompt", "-alias", "server", "-file", serverCert.toString(), "-keystore",
                trustServer.toString(), "-storetype", "PKCS12", "-storepass", PW);
        keytool("-importcert", "-noprompt", "-alias", "client", "-file", clientCert.toString(), "-keystore",
                trustClients.toString(), "-storetype", "PKCS12", "-storepass", PW);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        Keytool.run(args);
    }

    private static HttpClient client(Path keystore) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load(trustServer));
        KeyManagerFactory kmf = null;
        if (keystore != null) {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(keystore), PW.toCharArray());
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ctx).build();
    }

    private static KeyStore load(Path p) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p)) {
            ks.load(in, PW.toCharArray());
        }
        return ks;
    }

    private static HttpResponse<String> post(HttpClient c, TalonTestServer t) throws Exception {
        return c.send(HttpRequest.newBuilder(java.net.URI.create("https://localhost:" + t.port() + "/"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Events.load("terminal-shell.json"))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesHttps() throws Exception {
        try (TalonTestServer t = TalonTestServer.builder().rules(RULES)
                .env("TLS_KEYSTORE", serverKs.toString()).env("TLS_KEYSTORE_PASSWORD", PW).start()) {
            assertThat(post(client(null), t).statusCode()).isEqualTo(200);
            // plain HTTP is not served on the TLS port
            assertThatThrownBy(() -> t.post(Events.load("terminal-shell.json"))).isInstanceOf(IOException.class);
        }
    }

    @Test
    void mutualTlsRefusesClientsWithoutATrustedCertificate() throws Exception {
        try (TalonTestServer t = TalonTestServer.builder().rules(RULES)
                .env("TLS_KEYSTORE", serverKs.toString()).env("TLS_KEYSTORE_PASSWORD", PW)
                .env("TLS_TRUSTSTORE", trustClients.toString()).env("TLS_TRUSTSTORE_PASSWORD", PW)
                .env("TLS_CLIENT_AUTH", "require").start()) {
            assertThat(post(client(clientKs), t).statusCode()).isEqualTo(200);
            assertThatThrownBy(() -> post(client(null), t)).isInstanceOf(IOException.class);
            // a certificate that is not in the truststore: the server's own
            assertThatThrownBy(() -> post(client(serverKs), t)).isInstanceOf(IOException.class);
        }
    }
}
