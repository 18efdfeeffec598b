package org.falcosecurity.talon.contexts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code aws} additional context: the EC2 instance metadata service, version 2 only (a session token from
 * {@code PUT /latest/api/token}, then every {@code GET} with {@code X-aws-ec2-metadata-token}): the instance profile
 * from {@code /latest/meta-data/iam/info}, the region from {@code /latest/meta-data/placement/region}. The base URL
 * is the Camel property {@code talon.aws.imds-endpoint} ({@code http://169.254.169.254}; a test's loopback server).
 * Answers are read up to {@value #MAX_BODY} bytes; nothing is cached (an instance profile can be replaced).
 */
public final class InstanceMetadata {

    static final int MAX_BODY = 65536;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final Duration timeout;
    /** Made by the first call: a Talon whose rules use no {@code aws} context builds no HTTP client. */
    private HttpClient http;

    public InstanceMetadata(URI base, Duration timeout) {
        this.base = base;
        this.timeout = timeout;
    }

    private synchronized HttpClient http() {
        if (http == null) {
            // IMDS answers on a link-local address: never through a proxy, never redirected
            http = HttpClient.newBuilder().connectTimeout(timeout).proxy(HttpClient.Builder.NO_PROXY)
                    .followRedirects(HttpClient.Redirect.NEVER).build();
        }
        return http;
    }

    /** {@code aws.instance_profile_arn}, {@code aws.instance_profile_id}, {@code aws.region}. */
    public Map<String, String> awsContext() {
        String token = call(HttpRequest.newBuilder(base.resolve("/latest/api/token"))
                .header("X-aws-ec2-metadata-token-ttl-seconds", "60")
                .PUT(HttpRequest.BodyPublishers.noBody()), "the IMDSv2 session token");
        JsonNode info;
        try {
            info = JSON.readTree(get("/latest/meta-data/iam/info", token));
        } catch (IOException e) {
            throw new IllegalStateException("the instance metadata's iam/info is not JSON");
        }
        String region = get("/latest/meta-data/placement/region", token).strip();
        Map<String, String> out = new LinkedHashMap<>();
        out.put("aws.instance_profile_arn", info.path("InstanceProfileArn").asText(""));
        out.put("aws.instance_profile_id", info.path("InstanceProfileId").asText(""));
        out.put("aws.region", region);
        return out;
    }

    private String get(String path, String token) {
        return call(HttpRequest.newBuilder(base.resolve(path)).header("X-aws-ec2-metadata-token", token).GET(),
                path);
    }

    private String call(HttpRequest.Builder request, String what) {
        HttpResponse<InputStream> r;
        try {
            r = http().send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new IllegalStateException("the instance metadata service (" + base + ") did not answer for "
                    + what + ": " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the instance metadata");
        }
        try (InputStream in = r.body()) {
            byte[] body = in.readNBytes(MAX_BODY);
            if (r.statusCode() != 200) {
                throw new IllegalStateException("the instance metadata service answered " + r.statusCode()
                        + " for " + what + (r.statusCode() == 404 && what.contains("iam")
                        ? " (no instance profile attached)" : ""));
            }
            return new String(body, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("the instance metadata's answer for " + what + " could not be read");
        }
    }
}
