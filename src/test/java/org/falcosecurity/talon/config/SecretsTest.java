package org.falcosecurity.talon.config;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@link Secrets} masks: names that say they hold a secret, and credentials in URLs inside free text. */
class SecretsTest {

    @Test
    void aKeyIsSecretWhenItsNameContainsASecretWordAnywhereInAnyCase() {
        assertThat(Secrets.isSecretKey("password")).isTrue();
        assertThat(Secrets.isSecretKey("db_Password_file")).isTrue();
        assertThat(Secrets.isSecretKey("Authorization")).isTrue();
        assertThat(Secrets.isSecretKey("slack_webhook_url")).isTrue();
        assertThat(Secrets.isSecretKey("x_apikey")).isTrue();
        assertThat(Secrets.isSecretKey("aws_access_key")).isTrue();
        assertThat(Secrets.isSecretKey("bearer\ntoken")).isTrue();
        assertThat(Secrets.isSecretKey("namespace")).isFalse();
        assertThat(Secrets.isSecretKey("labels")).isFalse();
        assertThat(Secrets.isSecretKey(null)).isFalse();
    }

    @Test
    void urlCredentialsInTextAreMaskedAndTextWithoutAUrlIsLeftAsItIs() {
        assertThat(Secrets.maskUrls("posted to https://bot:s3cr3t@hooks.example.com/x and HTTP://u:p@h/"))
                .isEqualTo("posted to https://" + Secrets.MASK + "@hooks.example.com/x and HTTP://" + Secrets.MASK
                        + "@h/");
        assertThat(Secrets.maskUrls("ftp://anon:me@files.example.com")).isEqualTo("ftp://" + Secrets.MASK
                + "@files.example.com");
        String plain = "user:pass@host is not a URL without its scheme";
        assertThat(Secrets.maskUrls(plain)).isSameAs(plain);
        assertThat(Secrets.maskUrls("https://example.com/no/credentials")).isEqualTo("https://example.com/no/credentials");
        assertThat(Secrets.maskUrls(null)).isNull();
    }

    @Test
    void anErrorIsDescribedWithoutTheTokensOfTheUrlsAndRequestLinesItQuotes() {
        Exception http = new IllegalStateException("HTTP operation failed invoking https://u:pw@hooks.example.com"
                + "/services/T0/tok3n?key=k3y with statusCode: 500");
        assertThat(Secrets.describe(new RuntimeException("wrapped", http)))
                .isEqualTo("IllegalStateException: HTTP operation failed invoking https://" + Secrets.MASK
                        + "@hooks.example.com/… with statusCode: 500");
        // Vert.x's client names the request line, without scheme and host, when a request times out
        assertThat(Secrets.describe(new java.util.concurrent.TimeoutException("The timeout period of 500ms has been"
                + " exceeded while executing POST /hook/tok3n?key=k3y for server null")))
                .isEqualTo("TimeoutException: The timeout period of 500ms has been exceeded while executing POST /…"
                        + " for server null");
        assertThat(Secrets.describe(new java.io.IOException("Connection refused: /127.0.0.1:8080")))
                .isEqualTo("IOException: Connection refused: /127.0.0.1:8080");
    }

    @Test
    void aParameterTreeHasItsSecretValuesMaskedAtEveryLevel() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("api_key", "k");
        inner.put("region", "eu");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("token", "t");
        params.put("target", inner);
        params.put("url", "https://u:p@example.com/");
        Map<String, Object> masked = Secrets.mask(params);
        assertThat(masked.get("token")).isEqualTo(Secrets.MASK);
        assertThat(masked.get("target")).isEqualTo(Map.of("api_key", Secrets.MASK, "region", "eu"));
        assertThat(String.valueOf(masked.get("url"))).doesNotContain("u:p");
    }
}
