package org.falcosecurity.talon.outputs;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.service.ServiceSupport;
import org.falcosecurity.talon.artifacts.ObjectKeys;
import org.falcosecurity.talon.aws.AwsClients;
import org.falcosecurity.talon.catalog.OutputSpec;
import org.falcosecurity.talon.config.Secrets;
import org.falcosecurity.talon.config.TalonConfig;
import org.falcosecurity.talon.contract.TalonHeaders;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in output targets ({@link #ALL}: each declared beside its bean, its route in
 * {@code routes/output-<category>-<name>.camel.yaml}) and what they share: parameter checks, the bean set-up, and the
 * answer every target gives (location, objects, a line of output).
 */
public final class OutputTargets {

    /** Every built-in target's declaration (after the parameters above: the declarations use them). */
    public static final List<OutputSpec> ALL = List.of(LocalFileOutput.SPEC, S3Output.SPEC, MinioOutput.SPEC,
            GcsOutput.SPEC);

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

    /**
     * The answer of a bucket target: location {@code <scheme><bucket>/<key>}, the objects file, bucket, prefix, key
     * (and {@code extra}), and upstream's line of output.
     */
    static void bucketAnswer(Exchange exchange, String locationBase, Map<String, String> extra) {
        String bucket = param(exchange, "bucket");
        String key = objectKey(exchange);
        String name = artifactName(exchange);
        Map<String, String> objects = new LinkedHashMap<>();
        objects.put("file", name);
        objects.put("bucket", bucket);
        objects.put("prefix", param(exchange, "prefix"));
        objects.put("key", key);
        objects.putAll(extra);
        answer(exchange, locationBase + bucket + "/" + key, objects, "the file '" + name
                + "' has been uploaded as the key '" + key + "' to the bucket '" + bucket + "'");
    }

    static String artifactName(Exchange exchange) {
        return exchange.getMessage().getHeader(TalonHeaders.ARTIFACT_NAME, String.class);
    }
}
