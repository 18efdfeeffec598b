package org.falcosecurity.talon.replicas;

import org.falcosecurity.talon.config.TalonConfig;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The HTTP client a follower forwards events with. Over HTTPS (the intake serves TLS, {@code tls.keystore}) every
 * replica mounts the same keystore, so a follower trusts exactly the certificates in it — the leader must present
 * one of them — and no host name is checked (the certificate names the Service, not the pod's address); it
 * presents the same key as its client certificate, for {@code tls.client_auth: require} (the truststore must then
 * accept it).
 */
final class RelayClient {

    private RelayClient() {
    }

    static HttpClient create(TalonConfig config, Duration connectTimeout) {
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(connectTimeout);
        if (!config.tls().keystore().isEmpty()) {
            b.sslContext(pinned(Path.of(config.tls().keystore()), config.tls().keystorePassword()));
        }
        return b.build();
    }

    static SSLContext pinned(Path keystore, String password) {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password.toCharArray());
            List<X509Certificate> ours = new ArrayList<>();
            for (String alias : Collections.list(ks.aliases())) {
                Certificate c = ks.getCertificate(alias);
                if (c instanceof X509Certificate x) {
                    ours.add(x);
                }
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password.toCharArray());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), new TrustManager[] {new Pinned(ours)}, null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot use tls.keystore to forward events to the leader: "
                    + e.getClass().getSimpleName(), e);
        }
    }

    /** Trusts a server that presents one of our own certificates, and nothing else. */
    static final class Pinned extends X509ExtendedTrustManager {
        private final List<X509Certificate> ours;

        Pinned(List<X509Certificate> ours) {
            this.ours = List.copyOf(ours);
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0 || !ours.contains(chain[0])) {
                throw new CertificateException("the leader did not present Talon's own certificate");
            }
            chain[0].checkValidity();
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return ours.toArray(new X509Certificate[0]);
        }
    }
}
