package org.falcosecurity.talon.outputs;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.service.ServiceSupport;
import org.falcosecurity.talon.artifacts.ObjectKeys;
import org.falcosecurity.talon.aws.AwsClients;
import org.falcosecurity.talon.catalog.Checks;
import org.falcosecurity.talon.catalog.OutputSpec;
import org.falcosecurity.talon.catalog.ParamSpec;
import org.falcosecurity.talon.config.Secrets;
import org.falcosecurity.talon.config.TalonConfig;
import org.falcosecurity.talon.contract.TalonHeaders;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The built-in output targets ({@link #ALL}: each declared beside its bean, its route in
 * {@code routes/output-<category>-<name>.camel.yaml}) and what they share: parameter checks, the bean set-up, and the
 * answer every target gives (location, objects, a line of output).
 */
public final class OutputTargets {

    public static final List<OutputSpec> ALL = List.of(LocalFileOutput.SPEC, S3Output.SPEC, MinioOutput.SPEC,
            GcsOutput.SPEC);

    private static final Pattern S3_BUCKET = Pattern.compile("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$");
    private static final Pattern GCS_BUCKET = Pattern.compile("^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$");
    private static final Pattern PREFIX = Pattern.compile("^[A-Za-z0-9!_.*'()/-]{0,512}$");

    static final ParamSpec S3_BUCKET_PARAM = ParamSpec.required("bucket", ParamSpec.Type.STRING)
            .withCheck(v -> S3_BUCKET.matcher((String) v).matches() ? null
                    : "is not a bucket name (3 to 63 lower-case letters, digits, '.' and '-'), got '" + v + "'")
            .describedAs("Destination bucket (it must exist)");
    static final ParamSpec GCS_BUCKET_PARAM = ParamSpec.required("bucket", ParamSpec.Type.STRING)
            .withCheck(v -> GCS_BUCKET.matcher((String) v).matches() ? null
                    : "is not a bucket name (lower-case letters, digits, '.', '_' and '-'), got '" + v + "'")
            .describedAs("Destination bucket (it must exist)");
    static final ParamSpec PREFIX_PARAM = ParamSpec.of("prefix", ParamSpec.Type.STRING)
            .withCheck(v -> PREFIX.matcher((String) v).matches() ? null
                    : "may hold letters, digits and !_.*'()/- only (at most 512), got '" + Checks.truncate((String) v,
                    40) + "'")
            .describedAs("Prefix of the key (leading and trailing / dropped: `/files/` and `files` are the same)");

    private OutputTargets() {
    }

    /**
     * Binds the beans of the output routes: {@code outputStep} (Talon's {@code output} route), and one per target.
     * Clients are made on first use, so an unused target needs no credentials.
     */
    public static void bind(CamelContext context, TalonConfig config, MeterRegistry metrics, AwsClients aws,
                            String gcsHost) {
        Registry registry = context.getRegistry();
        List<String> secrets = List.of(config.minio().secretKey(), config.minio().accessKey());
        OutputErrors errors = new OutputErrors(text -> aws.redact(Secrets.redact(text, secrets)));
        registry.bind("outputStep", new OutputStep(errors, metrics, config.maxArtifactBytes(), Clock.systemUTC()));
        registry.bind("localFileOutput", new LocalFileOutput());
        registry.bind("awsS3Output", new S3Output(aws, registry));
        registry.bind("minioOutput", new MinioOutput(config.minio(), registry));
        registry.bind("gcsOutput", new GcsOutput(config.gcp(), gcsHost, registry));
        try {
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    aws.close();
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The output parameters of the action (validated when the rules loaded). */
    static Map<String, Object> params(Exchange exchange) {
        Object p = exchange.getMessage().getHeader(TalonHeaders.OUTPUT_PARAMETERS);
        if (p instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), v));
            return out;
        }
        return Map.of();
    }

    static String param(Exchange exchange, String name) {
        Object v = params(exchange).get(name);
        return v == null ? "" : String.valueOf(v);
    }

    /** The key under the output's {@code prefix}. */
    static String objectKey(Exchange exchange) {
        return ObjectKeys.withPrefix(param(exchange, "prefix"),
                exchange.getMessage().getHeader(TalonHeaders.ARTIFACT_KEY, String.class));
    }

    /** Where the target stored the artifact, the objects it adds, and its line of output. */
    static void answer(Exchange exchange, String location, Map<String, String> objects, String output) {
        Message m = exchange.getMessage();
        m.setHeader(TalonHeaders.ARTIFACT_LOCATION, location);
        m.setHeader(TalonHeaders.OBJECTS, objects);
        m.setHeader(TalonHeaders.OUTPUT, output);
        m.setHeader(TalonHeaders.STATUS, "success");
    }

    static String artifactName(Exchange exchange) {
        return exchange.getMessage().getHeader(TalonHeaders.ARTIFACT_NAME, String.class);
    }
}
