package org.falcosecurity.talon.aws;

import org.falcosecurity.talon.config.Secrets;
import org.falcosecurity.talon.config.Settings;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The AWS SDK clients of every {@code aws.*} feature, made the same way in one place: credentials from {@code aws.*}
 * ({@code access_key} + {@code secret_key}, else the SDK's default chain: environment, system properties, web
 * identity, profile, container and instance roles), then, with {@code aws.role_arn}, a role assumed through STS with
 * {@code aws.external_id}; the region of the call, else {@code aws.region}, else the SDK's region chain. Clients of
 * other services (Lambda, ...) take the same set-up with {@link #configure}; {@link #s3} adds what S3 needs.
 *
 * <p>{@code aws.endpoint} points the S3 clients at a VPC endpoint or an S3-compatible store, with path-style
 * addressing and checksums only where the API requires them (S3-compatible stores often lack the SDK's default
 * CRC trailers). The STS endpoint can be set apart (Camel property {@code talon.aws.sts-endpoint}: an STS VPC
 * endpoint, or a test's stand-in).
 *
 * <p>Secrets never leave this class in text: {@link #redact} masks the configured keys in any message.
 */
public final class AwsClients implements AutoCloseable {

    /** What an AWS region looks like ({@code eu-west-1}, {@code us-gov-west-1}, {@code cn-north-1}). */
    public static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]");

    private final Settings.Aws settings;
    private final Optional<URI> stsEndpoint;
    private final Map<String, S3Client> s3ByRegion = new ConcurrentHashMap<>();
    private final List<SdkClient> owned = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile AwsCredentialsProvider credentials;

    /**
     * @param settings    the {@code aws.*} settings (validated)
     * @param stsEndpoint where STS calls go when a role is assumed; empty: the SDK's regional STS endpoint
     */
    public AwsClients(Settings.Aws settings, Optional<URI> stsEndpoint) {
        this.settings = settings;
        this.stsEndpoint = stsEndpoint;
    }

    /** {@code aws.endpoint}, when set. */
    public Optional<URI> endpoint() {
        return settings.endpoint().isEmpty() ? Optional.empty() : Optional.of(URI.create(settings.endpoint()));
    }

    /**
     * The region of a call: {@code override} when not empty, else {@code aws.region}, else the SDK's chain
     * ({@code AWS_REGION}, the profile, the instance metadata); an {@link IllegalStateException} naming the settings
     * when none gives one.
     */
    public Region region(String override) {
        if (override != null && !override.isEmpty()) {
            return Region.of(override);
        }
        if (!settings.region().isEmpty()) {
            return Region.of(settings.region());
        }
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion();
        } catch (RuntimeException e) {
            throw new IllegalStateException("no AWS region: set aws.region (or the region of the output), or"
                    + " AWS_REGION", e);
        }
    }

    /** The credentials of every AWS call (made once, refreshed by the SDK). */
    public AwsCredentialsProvider credentials() {
        AwsCredentialsProvider c = credentials;
        if (c == null) {
            synchronized (this) {
                if (credentials == null) {
                    credentials = buildCredentials();
                }
                c = credentials;
            }
        }
        return c;
    }

    private AwsCredentialsProvider buildCredentials() {
        AwsCredentialsProvider base = settings.accessKey().isEmpty()
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(),
                settings.secretKey()));
        if (settings.roleArn().isEmpty()) {
            return base;
        }
        var sts = StsClient.builder().credentialsProvider(base).region(region(""))
                .httpClientBuilder(ApacheHttpClient.builder());
        stsEndpoint.ifPresent(sts::endpointOverride);
        StsClient client = sts.build();
        owned.add(client);
        return StsAssumeRoleCredentialsProvider.builder().stsClient(client).refreshRequest(r -> {
            r.roleArn(settings.roleArn()).roleSessionName("falco-talon").durationSeconds(3600);
            if (!settings.externalId().isEmpty()) {
                r.externalId(settings.externalId());
            }
        }).build();
    }

    /**
     * Sets credentials, region ({@code region}, else the defaults of {@link #region}) and the synchronous HTTP client
     * on any AWS client builder; the caller adds what its service needs and builds it.
     */
    public <B extends AwsClientBuilder<B, ?>> B configure(B builder, String region) {
        return builder.credentialsProvider(credentials()).region(region(region));
    }

    /**
     * The S3 client of a region (one per region, kept): {@code aws.endpoint} with path-style addressing when set,
     * and no retries of its own (the output's route retries an upload with back-off).
     */
    public S3Client s3(String region) {
        String key = region == null ? "" : region;
        return s3ByRegion.computeIfAbsent(key, r -> {
            var b = configure(S3Client.builder(), r).httpClientBuilder(ApacheHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(10)).socketTimeout(Duration.ofSeconds(60)))
                    .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
            endpoint().ifPresent(e -> b.endpointOverride(e).forcePathStyle(true)
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED));
            S3Client c = b.build();
            owned.add(c);
            return c;
        });
    }

    /** {@code text} with the configured access key, secret key and URL credentials masked. */
    public String redact(String text) {
        List<String> secrets = new ArrayList<>();
        secrets.add(settings.secretKey());
        secrets.add(settings.accessKey());
        return Secrets.redact(text, secrets);
    }

    @Override
    public void close() {
        for (SdkClient c : owned) {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // closing: nothing to do
            }
        }
        owned.clear();
        s3ByRegion.clear();
        if (credentials instanceof AutoCloseable a) {
            try {
                a.close();
            } catch (Exception ignored) {
                // closing: nothing to do
            }
        }
    }
}
