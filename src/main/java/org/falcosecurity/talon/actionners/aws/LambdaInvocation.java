package org.falcosecurity.talon.actionners.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.falcosecurity.talon.aws.AwsClients;
import org.falcosecurity.talon.catalog.ActionnerSpec;
import org.falcosecurity.talon.catalog.Checks;
import org.falcosecurity.talon.catalog.ParamSpec;
import org.falcosecurity.talon.contexts.EventPayload;
import org.falcosecurity.talon.contract.ActionStop;
import org.falcosecurity.talon.contract.Outcome;
import org.falcosecurity.talon.contract.TalonHeaders;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeRequest;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import static org.falcosecurity.talon.catalog.ParamSpec.Type.STRING;

/**
 * {@code aws:lambda}: invokes a Lambda function with the event as payload ({@link EventPayload}: the event, its
 * context, the action's additional contexts and upstream's {@code falco-talon.*} keys), through the AWS SDK's
 * Lambda client (the one camel-aws2-lambda brings) set up by {@link AwsClients} (credentials, assumed role, region;
 * {@code aws.endpoint} replaces the Lambda endpoint). The function's answer, cut at
 * {@code talon.cloud.max-output-bytes}, is the action's output; a function error (the {@code X-Amz-Function-Error}
 * answer) is the action's failure with the function's {@code errorMessage}. A throttled (429) or failed (5xx) call is
 * retried by the SDK with back-off ({@code talon.aws.lambda-max-attempts} attempts in all); other answers (403, 404)
 * are not. This is the one place Talon calls Lambda.
 */
public final class LambdaInvocation implements AutoCloseable {

    /** A function name, partial or full ARN, optionally with {@code :qualifier} (AWS's own pattern, 1-140 chars). */
    static final Pattern FUNCTION = Pattern.compile("(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d:)?"
            + "(\\d{12}:)?(function:)?[a-zA-Z0-9_-]{1,64}(:(\\$LATEST|[a-zA-Z0-9_-]+))?");
    static final Pattern QUALIFIER = Pattern.compile("\\$LATEST|[a-zA-Z0-9_-]{1,128}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code aws:lambda}. */
    public static final ActionnerSpec SPEC = ActionnerSpec.builder("aws:lambda")
            .description("Invoke an AWS Lambda function with the event (and its context) as payload")
            .param(ParamSpec.required("aws_lambda_name", STRING).withCheck(v -> ((String) v).length() <= 140
                    && FUNCTION.matcher((String) v).matches() ? null
                    : "must be a Lambda function name or ARN (letters, digits, - and _), got '" + v + "'")
                    .describedAs("The function: its name, or its (partial) ARN"))
            .param(ParamSpec.of("aws_lambda_alias_or_version", STRING).withDefault("$LATEST")
                    .withCheck(v -> QUALIFIER.matcher((String) v).matches() ? null
                            : "must be $LATEST, a version number or an alias name, got '" + v + "'")
                    .describedAs("The qualifier: `$LATEST`, a version or an alias"))
            .param(ParamSpec.of("aws_lambda_invocation_type", STRING).withDefault("RequestResponse")
                    .withCheck(Checks.oneOf("RequestResponse", "Event", "DryRun"))
                    .describedAs("`RequestResponse` (wait for the answer), `Event` (asynchronous) or `DryRun`"))
            .usesContext()
            .example("""
                    - action: Invoke Lambda function
                      actionner: aws:lambda
                      additional_contexts:
                        - k8snode
                      parameters:
                        aws_lambda_name: sample-function
                        aws_lambda_alias_or_version: $LATEST
                        aws_lambda_invocation_type: RequestResponse
                    """)
            .build();

    private final AwsClients aws;
    private final int maxOutputBytes;
    private final int maxAttempts;
    private final Duration timeout;
    private volatile LambdaClient client;

    public LambdaInvocation(AwsClients aws, int maxOutputBytes, int maxAttempts, Duration timeout) {
        this.aws = aws;
        this.maxOutputBytes = maxOutputBytes;
        this.maxAttempts = maxAttempts;
        this.timeout = timeout;
    }

    /** Invokes the function of the action ({@code TalonParameters}) with the exchange's event. */
    public Outcome invoke(Exchange exchange) {
        @SuppressWarnings("unchecked")
        Map<String, Object> params = exchange.getMessage().getHeader(TalonHeaders.PARAMETERS, Map.class);
        String name = (String) params.get("aws_lambda_name");
        String qualifier = (String) params.getOrDefault("aws_lambda_alias_or_version", "$LATEST");
        String type = (String) params.getOrDefault("aws_lambda_invocation_type", "RequestResponse");
        Map<String, String> objects = new LinkedHashMap<>();
        objects.put("name", name);
        objects.put("version", qualifier);
        InvokeResponse r;
        try {
            r = client().invoke(InvokeRequest.builder().functionName(name).qualifier(qualifier).invocationType(type)
                    .payload(SdkBytes.fromByteArrayUnsafe(EventPayload.of(exchange.getMessage()))).build());
        } catch (AwsServiceException e) {
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
            throw ActionStop.failure(aws.redact("AWS Lambda answered " + e.statusCode()
                    + (code == null ? "" : " (" + code + ")") + " for function " + name + ":" + qualifier
                    + (message == null ? "" : ": " + message))).withObjects(objects);
        } catch (SdkException | IllegalStateException e) {
            throw ActionStop.failure(aws.redact("cannot invoke AWS Lambda function " + name + ": "
                    + e.getClass().getSimpleName() + ": " + e.getMessage())).withObjects(objects);
        }
        String payload = bounded(r.payload() == null ? new byte[0] : r.payload().asByteArray());
        if (r.functionError() != null) {
            throw ActionStop.failure("function " + name + ":" + qualifier + " failed (" + r.functionError() + "): "
                    + errorMessage(payload), payload).withObjects(objects);
        }
        return new Outcome(payload, objects);
    }

    /** The {@code errorMessage} of a function error's payload, else the payload itself. */
    static String errorMessage(String payload) {
        try {
            JsonNode n = JSON.readTree(payload);
            if (n != null && n.path("errorMessage").isTextual()) {
                return n.path("errorMessage").asText();
            }
        } catch (java.io.IOException e) {
            // not JSON: the payload as it is
        }
        return payload;
    }

    private String bounded(byte[] payload) {
        if (payload.length <= maxOutputBytes) {
            return new String(payload, StandardCharsets.UTF_8);
        }
        return new String(payload, 0, maxOutputBytes, StandardCharsets.UTF_8) + "... (cut at " + maxOutputBytes
                + " bytes of " + payload.length + ")";
    }

    private LambdaClient client() {
        LambdaClient c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    BackoffStrategy backoff = BackoffStrategy.exponentialDelay(Duration.ofMillis(100),
                            Duration.ofSeconds(5));
                    var b = aws.configure(LambdaClient.builder(), "")
                            .httpClientBuilder(ApacheHttpClient.builder().connectionTimeout(Duration.ofSeconds(10))
                                    .socketTimeout(timeout))
                            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.standardRetryStrategy()
                                    .toBuilder().maxAttempts(maxAttempts).backoffStrategy(backoff)
                                    .throttlingBackoffStrategy(backoff).circuitBreakerEnabled(false).build())
                                    .apiCallTimeout(timeout.multipliedBy(maxAttempts)));
                    aws.endpoint().ifPresent(b::endpointOverride);
                    client = b.build();
                }
                c = client;
            }
        }
        return c;
    }

    @Override
    public void close() {
        LambdaClient c = client;
        if (c != null) {
            c.close();
        }
    }
}
