package org.falcosecurity.talon.actionners.gcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.falcosecurity.talon.catalog.ActionnerSpec;
import org.falcosecurity.talon.catalog.Checks;
import org.falcosecurity.talon.catalog.ParamSpec;
import org.falcosecurity.talon.contexts.EventPayload;
import org.falcosecurity.talon.contract.ActionStop;
import org.falcosecurity.talon.contract.Outcome;
import org.falcosecurity.talon.contract.TalonHeaders;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import static org.falcosecurity.talon.catalog.ParamSpec.Type.INTEGER;
import static org.falcosecurity.talon.catalog.ParamSpec.Type.STRING;

/**
 * {@code gcp:function}: calls a Cloud Function (v2) with the event as payload ({@link EventPayload}). It looks the
 * function's URL up with the Cloud Functions API ({@code GET <api>/v2/projects/<project>/locations/<location>/
 * functions/<name>} → {@code serviceConfig.uri}; base URL: Camel property {@code talon.gcp.functions-url}), then POSTs
 * the payload there with an ID token for that URL ({@link GcpTokens}), waiting at most {@code gcp_function_timeout}
 * seconds (upstream passes the number as nanoseconds, so its calls time out at once). Only a 2xx answer is a
 * success; the answer, cut at {@code talon.cloud.max-output-bytes}, is the output. This is the one place Talon calls
 * Cloud Functions.
 */
public final class CloudFunction {

    static final Pattern NAME = Pattern.compile("[a-zA-Z][a-zA-Z0-9_-]{0,62}");
    static final Pattern LOCATION = Pattern.compile("[a-z]+(-[a-z]+)+[0-9]+");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code gcp:function}. */
    public static final ActionnerSpec SPEC = ActionnerSpec.builder("gcp:function")
            .description("Call a GCP Cloud Function (v2) with the event (and its context) as payload")
            .param(ParamSpec.required("gcp_function_name", STRING).withCheck(v -> NAME.matcher((String) v).matches()
                    ? null : "must be a Cloud Function name (a letter, then letters, digits, - and _), got '"
                    + v + "'").describedAs("The function's name"))
            .param(ParamSpec.of("gcp_function_location", STRING).withDefault("us-central1")
                    .withCheck(v -> LOCATION.matcher((String) v).matches() ? null
                            : "must be a GCP region such as us-central1, got '" + v + "'")
                    .describedAs("The function's region"))
            .param(ParamSpec.of("gcp_function_timeout", INTEGER).withDefault(30).withCheck(Checks.both(Checks.POSITIVE,
                    v -> ((Number) v).longValue() > 3600 ? "must be at most 3600 seconds, got " + v : null))
                    .describedAs("Seconds the call may take"))
            .usesContext()
            .example("""
                    - action: Invoke GCP Cloud Function
                      actionner: gcp:function
                      additional_contexts:
                        - k8snode
                      parameters:
                        gcp_function_name: sample-function
                        gcp_function_location: us-central1
                        gcp_function_timeout: 10
                    """)
            .build();

    private final URI api;
    private final URI metadata;
    private final Path credentialsFile;
    /** Made by the first call: a Talon whose rules never call a function builds no HTTP client. */
    private GcpTokens tokens;
    private HttpClient http;
    private final int maxOutputBytes;

    /**
     * @param api             the Cloud Functions API ({@code https://cloudfunctions.googleapis.com})
     * @param metadata        the metadata server ({@code http://metadata.google.internal})
     * @param credentialsFile {@code gcp.credentials_path}, or {@code null} for the metadata server's account
     */
    public CloudFunction(URI api, URI metadata, Path credentialsFile, int maxOutputBytes) {
        this.api = api;
        this.metadata = metadata;
        this.credentialsFile = credentialsFile;
        this.maxOutputBytes = maxOutputBytes;
    }

    private synchronized void connect() {
        if (http == null) {
            http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                    .followRedirects(HttpClient.Redirect.NEVER).build();
            tokens = new GcpTokens(credentialsFile, metadata, http, Duration.ofSeconds(10), Clock.systemUTC());
        }
    }

    /** Calls the function of the action ({@code TalonParameters}) with the exchange's event. */
    public Outcome call(Exchange exchange) {
        connect();
        @SuppressWarnings("unchecked")
        Map<String, Object> params = exchange.getMessage().getHeader(TalonHeaders.PARAMETERS, Map.class);
        String name = (String) params.get("gcp_function_name");
        String location = (String) params.getOrDefault("gcp_function_location", "us-central1");
        Duration timeout = Duration.ofSeconds(((Number) params.getOrDefault("gcp_function_timeout", 30)).longValue());
        Map<String, String> objects = new LinkedHashMap<>();
        objects.put("name", name);
        objects.put("location", location);
        try {
            URI url = url(name, location);
            objects.put("url", url.toString());
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(url).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + tokens.idToken(url.toString()))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(EventPayload.of(exchange.getMessage()))).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            String body = bounded(r.body());
            if (r.statusCode() / 100 != 2) {
                throw ActionStop.failure("function " + name + " (" + location + ") answered " + r.statusCode()
                        + (body.isBlank() ? "" : ": " + GcpTokens.firstLine(body)), body).withObjects(objects);
            }
            return new Outcome(body, objects);
        } catch (HttpTimeoutException e) {
            throw ActionStop.failure("function " + name + " (" + location + ") did not answer within "
                    + timeout.toSeconds() + " s").withObjects(objects);
        } catch (IOException | IllegalStateException e) {
            throw ActionStop.failure("cannot call function " + name + " (" + location + "): "
                    + (e instanceof IOException ? e.getClass().getSimpleName() : e.getMessage())).withObjects(objects);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ActionStop.failure("interrupted while calling function " + name).withObjects(objects);
        }
    }

    /** The function's {@code serviceConfig.uri}, from the Cloud Functions API. */
    private URI url(String name, String location) throws IOException, InterruptedException {
        // name and location were checked against NAME and LOCATION; the project comes from the credentials
        String project = tokens.project();
        if (!project.matches("[a-z][a-z0-9:.-]{0,99}")) {
            throw new IllegalStateException("the GCP project id is not valid");
        }
        URI get = api.resolve("/v2/projects/" + project + "/locations/" + location + "/functions/" + name);
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(get).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + tokens.accessToken()).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        String body = bounded(r.body());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("the Cloud Functions API answered " + r.statusCode() + " for "
                    + "projects/" + project + "/locations/" + location + "/functions/" + name + ": "
                    + message(body));
        }
        String uri = JSON.readTree(body).path("serviceConfig").path("uri").asText("");
        URI u;
        try {
            u = URI.create(uri);
        } catch (IllegalArgumentException e) {
            u = null;
        }
        if (u == null || u.getHost() == null || !("https".equals(u.getScheme()) || "http".equals(u.getScheme()))) {
            throw new IllegalStateException("the function has no valid URL (serviceConfig.uri)");
        }
        return u;
    }

    /** The {@code error.message} of a Google API error, else its first line. */
    private static String message(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            if (n != null && n.path("error").path("message").isTextual()) {
                return n.path("error").path("message").asText();
            }
        } catch (IOException e) {
            // not JSON
        }
        return GcpTokens.firstLine(body);
    }

    private String bounded(InputStream in) throws IOException {
        try (in) {
            byte[] b = in.readNBytes(maxOutputBytes + 1);
            if (b.length <= maxOutputBytes) {
                return new String(b, StandardCharsets.UTF_8);
            }
            return new String(b, 0, maxOutputBytes, StandardCharsets.UTF_8) + "... (cut at " + maxOutputBytes
                    + " bytes)";
        }
    }
}
