package org.falcosecurity.talon.notifiers;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.falcosecurity.talon.support.Events;
import org.falcosecurity.talon.support.Keytool;
import org.falcosecurity.talon.support.TalonTestServer;
import org.falcosecurity.talon.support.TestRules;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The webhook notifier over HTTPS to a real TLS server (the JDK's) whose certificate, for {@code localhost} only, is
 * trusted through the JVM's trust store (javax.net.ssl.trustStore, as an operator would add a private CA): a URL
 * with an explicit port goes over TLS with its path and query as written, and a host the certificate does not name
 * gets nothing.
 */
class WebhookTlsTest {

    private static final String PW = "changeit";
    private static final String TOKEN = "t0k3n-tls";

    @TempDir
    static Path dir;
    private static HttpsServer server;
    private static final List<String> received = new CopyOnWriteArrayList<>();
    private static String savedTrustStore;
    private static String savedTrustStorePassword;

    @BeforeAll
    static void start() throws Exception {
        Path keystore = dir.resolve("server.p12");
        Path cert = dir.resolve("server.crt");
        Path trust = dir.resolve("trust.p12");
        Keytool.run("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost", "-keystore", keystore.toString(),
                "-storetype", "PKCS12", "-storepass", PW, "-keypass", PW);
        Keytool.run("-exportcert", "-alias", "server", "-keystore", keystore.toString(), "-storepass", PW, "-file",
                cert.toString());
        Keytool.run("-importcert", "-noprompt", "-alias", "server", "-file", cert.toString(), "-keystore",
                trust.toString(), "-storetype", "PKCS12", "-storepass", PW);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, PW.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PW.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/", x -> {
            try (InputStream in = x.getRequestBody()) {
                received.add(x.getRequestMethod() + " " + x.getRequestURI().getRawPath() + "?"
                        + x.getRequestURI().getRawQuery() + " " + new String(in.readAllBytes()).contains("\"rule\""));
            }
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        server.start();
        savedTrustStore = System.getProperty("javax.net.ssl.trustStore");
        savedTrustStorePassword = System.getProperty("javax.net.ssl.trustStorePassword");
        System.setProperty("javax.net.ssl.trustStore", trust.toString());
        System.setProperty("javax.net.ssl.trustStorePassword", PW);
    }

    @AfterAll
    static void stop() {
        server.stop(0);
        restore("javax.net.ssl.trustStore", savedTrustStore);
        restore("javax.net.ssl.trustStorePassword", savedTrustStorePassword);
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    private static TalonTestServer talon(String host) throws Exception {
        return TalonTestServer.builder()
                .config("default_notifiers: [webhook]\n"
                        + "notifiers:\n"
                        + "  webhook: {url: 'https://" + host + ":" + server.getAddress().getPort() + "/hook/" + TOKEN
                        + "?src=falco&path=a%2Fb'}\n")
                .rules(TestRules.LOG_SHELL)
                .property("talon.notifier.max-redeliveries", "0")
                .start();
    }

    @Test
    void aUrlWithAPortGoesOverTlsWithItsPathAndQueryAsWritten() throws Exception {
        received.clear();
        try (TalonTestServer talon = talon("localhost")) {
            assertThat(talon.post(Events.shell("default", "web-1")).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).until(() -> !received.isEmpty());
            assertThat(received).containsExactly("POST /hook/" + TOKEN + "?src=falco&path=a%2Fb true");
            var counters = talon.server().runtime().counters();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> counters.get("notifications", "notifier", "webhook", "status", "sent") == 1);
        }
    }

    @Test
    void aHostTheCertificateDoesNotNameGetsNothing() throws Exception {
        received.clear();
        try (TalonTestServer talon = talon("127.0.0.1")) {
            assertThat(talon.post(Events.shell("default", "web-1")).statusCode()).isEqualTo(200);
            var counters = talon.server().runtime().counters();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> counters.get("notifications_lost", "notifier", "webhook", "reason", "failed") == 1);
            assertThat(received).isEmpty();
        }
    }
}
