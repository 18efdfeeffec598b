package org.falcosecurity.talon.outputs;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.spi.Registry;
import org.falcosecurity.talon.aws.AwsClients;
import org.falcosecurity.talon.catalog.OutputSpec;
import org.falcosecurity.talon.catalog.ParamSpec;
import org.falcosecurity.talon.contract.ActionStop;
import org.falcosecurity.talon.contract.TalonHeaders;
import software.amazon.awssdk.regions.Region;

import java.util.Map;

/**
 * {@code aws:s3}: a PUT of the spool file to {@code bucket} (camel-aws2-s3, {@code routes/output-aws-s3.camel.yaml}),
 * key {@code <prefix>/<key>}. The S3 client of the region (the output's {@code region}, else {@code aws.region}, else
 * the SDK's chain) comes from {@link AwsClients} (credentials, assumed role, {@code aws.endpoint}) and is bound as
 * {@code talonS3Client-<region>} on first use; the route names it by reference, never with a credential.
 */
public final class S3Output {

    public static final OutputSpec SPEC = OutputSpec.builder("aws:s3")
            .description("Store on AWS S3, or on any S3-compatible store aws.endpoint names")
            .param(OutputParams.S3_BUCKET_PARAM)
            .param(OutputParams.PREFIX_PARAM)
            .param(ParamSpec.of("region", ParamSpec.Type.STRING)
                    .withCheck(v -> AwsClients.REGION.matcher((String) v).matches() ? null
                            : "expected an AWS region such as eu-west-1, got '" + v + "'")
                    .describedAs("Region of the bucket (default: aws.region)"))
            .example("""
                    - action: Get a file of the pod
                      actionner: kubernetes:download
                      parameters:
                        file: ${FD_NAME}
                      output:
                        target: aws:s3
                        parameters:
                          bucket: falco-talon
                          prefix: files
                          region: eu-west-1
                    """)
            .build();

    static final String PROP_CLIENT = "TalonS3Client";
    static final String PROP_BUCKET = "TalonS3Bucket";
    private static final String KEY = "CamelAwsS3Key";
    private static final String CONTENT_LENGTH = "CamelAwsS3ContentLength";
    private static final String CONTENT_TYPE = "CamelAwsS3ContentType";

    private final AwsClients aws;
    private final Registry registry;

    S3Output(AwsClients aws, Registry registry) {
        this.aws = aws;
        this.registry = registry;
    }

    /** The region's client, the bucket, the key and the size for camel-aws2-s3. */
    public void prepare(Exchange exchange) {
        Region region;
        try {
            region = aws.region(OutputTargets.param(exchange, "region"));
        } catch (IllegalStateException e) {
            throw ActionStop.failure(e.getMessage());
        }
        String name = "talonS3Client-" + region.id();
        synchronized (this) {
            if (registry.lookupByName(name) == null) {
                registry.bind(name, aws.s3(region.id()));
            }
        }
        exchange.setProperty(PROP_CLIENT, name);
        exchange.setProperty(PROP_BUCKET, OutputTargets.param(exchange, "bucket"));
        Message m = exchange.getMessage();
        m.setHeader(KEY, OutputTargets.objectKey(exchange));
        m.setHeader(CONTENT_LENGTH, m.getHeader(TalonHeaders.ARTIFACT_SIZE, Long.class));
        m.setHeader(CONTENT_TYPE, "application/octet-stream");
    }

    /** After the upload. */
    public void answer(Exchange exchange) {
        OutputTargets.bucketAnswer(exchange, "s3://", Map.of("region",
                exchange.getProperty(PROP_CLIENT, String.class).substring("talonS3Client-".length())));
    }
}
