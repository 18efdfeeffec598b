package org.falcosecurity.talon.actionners.gcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Google credentials of gcp:function: an OAuth access token for the Cloud Functions API and an ID token whose
 * audience is the function's URL. With {@code gcp.credentials_path} (a service-account JSON key file) both come from
 * the key's {@code token_uri} with a signed JWT assertion (RS256; {@code scope} for the access token,
 * {@code target_audience} for the ID token); without it, from the metadata server of the node Talon runs on
 * ({@code /computeMetadata/v1/instance/service-accounts/default/token} and {@code .../identity?audience=}, header
 * {@code Metadata-Flavor: Google}; base URL: Camel property {@code talon.gcp.metadata-url}). Tokens are kept until a
 * minute before they expire, ID tokens per function URL (URLs come from the rules' functions, not from events).
 */
final class GcpTokens {

    static final String SCOPE = "https://www.googleapis.com/auth/cloud-platform";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 65536;

    private record Token(String value, long expiresAtMillis) {
    }

    private final Path credentialsFile;
    private final URI metadata;
    private final HttpClient http;
    private final Duration timeout;
    private final Clock clock;
    private final Map<String, Token> cache = new ConcurrentHashMap<>();
    private volatile JsonNode key;

    GcpTokens(Path credentialsFile, URI metadata, HttpClient http, Duration timeout, Clock clock) {
        this.credentialsFile = credentialsFile;
        this.metadata = metadata;
        this.http = http;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** The project of the functions: the key's {@code project_id}, else the metadata server's project. */
    String project() {
        if (credentialsFile != null) {
            String p = key().path("project_id").asText("");
            if (p.isEmpty()) {
                throw new IllegalStateException("the GCP credentials file has no project_id");
            }
            return p;
        }
        return cached("project", () -> new Token(metadata("/computeMetadata/v1/project/project-id").strip(),
                Long.MAX_VALUE));
    }

    String accessToken() {
        return cached("access", () -> credentialsFile == null
                ? fromJson(metadata("/computeMetadata/v1/instance/service-accounts/default/token"), "access_token")
                : exchange(Map.of("scope", SCOPE), "access_token"));
    }

    String idToken(String audience) {
        return cached("id " + audience, () -> {
            if (credentialsFile != null) {
                return exchange(Map.of("target_audience", audience), "id_token");
            }
            String jwt = metadata("/computeMetadata/v1/instance/service-accounts/default/identity?audience="
                    + URLEncoder.encode(audience, StandardCharsets.UTF_8) + "&format=full").strip();
            return new Token(jwt, clock.millis() + Duration.ofMinutes(50).toMillis());
        });
    }

    private interface Fetch {
        Token get();
    }

    private String cached(String name, Fetch fetch) {
        Token t = cache.get(name);
        if (t == null || clock.millis() >= t.expiresAtMillis()) {
            t = fetch.get();
            cache.put(name, t);
        }
        return t.value();
    }

    private Token fromJson(String body, String field) {
        try {
            JsonNode n = JSON.readTree(body);
            String v = n.path(field).asText("");
            if (v.isEmpty()) {
                throw new IllegalStateException("the token answer has no " + field);
            }
            long ttl = n.path("expires_in").asLong(3600);
            return new Token(v, clock.millis() + Math.max(0, ttl - 60) * 1000);
        } catch (IOException e) {
            throw new IllegalStateException("the token answer is not JSON");
        }
    }

    private String metadata(String path) {
        return send(HttpRequest.newBuilder(metadata.resolve(path)).header("Metadata-Flavor", "Google").GET(),
                "the GCP metadata server");
    }

    /** A JWT assertion signed with the service account's key, exchanged at its {@code token_uri}. */
    private Token exchange(Map<String, String> claim, String field) {
        JsonNode k = key();
        URI tokenUri = URI.create(k.path("token_uri").asText("https://oauth2.googleapis.com/token"));
        long now = clock.millis() / 1000;
        Map<String, Object> header = Map.of("alg", "RS256", "typ", "JWT", "kid", k.path("private_key_id").asText(""));
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", k.path("client_email").asText(""));
        claims.put("aud", tokenUri.toString());
        claims.put("iat", now);
        claims.put("exp", now + 3600);
        claims.putAll(claim);
        String assertion;
        try {
            String signingInput = b64(JSON.writeValueAsBytes(header)) + "." + b64(JSON.writeValueAsBytes(claims));
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(privateKey(k.path("private_key").asText("")));
            s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            assertion = signingInput + "." + b64(s.sign());
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("the GCP credentials file's private_key cannot sign ("
                    + e.getClass().getSimpleName() + ")");
        }
        String form = "grant_type=" + URLEncoder.encode("urn:ietf:params:oauth:grant-type:jwt-bearer",
                StandardCharsets.UTF_8) + "&assertion=" + assertion;
        return fromJson(send(HttpRequest.newBuilder(tokenUri).header("Content-Type",
                "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)),
                "the GCP token endpoint"), field);
    }

    /** The first line of an answer, at most 300 characters: for errors. */
    static String firstLine(String body) {
        String line = body.lines().findFirst().orElse("").strip();
        return line.length() <= 300 ? line : line.substring(0, 300) + "...";
    }

    private static PrivateKey privateKey(String pem) throws GeneralSecurityException {
        String body = pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "")
                .replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder()
                .decode(body)));
    }

    private static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private JsonNode key() {
        JsonNode k = key;
        if (k == null) {
            try {
                k = JSON.readTree(Files.readAllBytes(credentialsFile));
            } catch (IOException e) {
                // never echo the file: it holds the private key
                throw new IllegalStateException("cannot read the GCP credentials file " + credentialsFile);
            }
            key = k;
        }
        return k;
    }

    private String send(HttpRequest.Builder request, String what) {
        HttpResponse<InputStream> r;
        try {
            r = http.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new IllegalStateException(what + " did not answer: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking " + what);
        }
        try (InputStream in = r.body()) {
            String body = new String(in.readNBytes(MAX_BODY), StandardCharsets.UTF_8);
            if (r.statusCode() != 200) {
                // a token endpoint's error names the problem (invalid_grant, ...), never the token
                throw new IllegalStateException(what + " answered " + r.statusCode() + ": "
                        + firstLine(body));
            }
            return body;
        } catch (IOException e) {
            throw new IllegalStateException("the answer of " + what + " could not be read");
        }
    }
}
