package org.falcosecurity.talon.outputs;

import io.minio.BucketExistsArgs;
import io.minio.MinioClient;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.spi.Registry;
import org.falcosecurity.talon.catalog.OutputSpec;
import org.falcosecurity.talon.config.Settings;
import org.falcosecurity.talon.contract.ActionStop;
import org.falcosecurity.talon.contract.TalonHeaders;

import java.util.Map;

/**
 * {@code minio:s3}: an upload of the spool file to {@code bucket} on MinIO (camel-minio,
 * {@code routes/output-minio-s3.camel.yaml}), after checking that the bucket exists (as upstream does; Talon never
 * creates one). The client is made from {@code minio.*} on first use and bound as {@code talonMinioClient}.
 */
public final class MinioOutput {

    public static final OutputSpec SPEC = OutputSpec.builder("minio:s3")
            .description("Store on MinIO (minio.endpoint, minio.access_key, minio.secret_key, minio.use_ssl)")
            .param(OutputParams.S3_BUCKET_PARAM)
            .param(OutputParams.PREFIX_PARAM)
            .example("""
                    - action: Get a file of the pod
                      actionner: kubernetes:download
                      parameters:
                        file: ${FD_NAME}
                      output:
                        target: minio:s3
                        parameters:
                          bucket: falco-talon
                          prefix: /files
                    """)
            .build();

    static final String CLIENT = "talonMinioClient";
    static final String PROP_BUCKET = "TalonMinioBucket";

    private final Settings.Minio settings;
    private final Registry registry;
    private MinioClient client;

    MinioOutput(Settings.Minio settings, Registry registry) {
        this.settings = settings;
        this.registry = registry;
    }

    private synchronized MinioClient client() {
        if (settings.endpoint().isEmpty()) {
            throw ActionStop.failure("minio.endpoint is not set (host[:port] of the MinIO server)");
        }
        if (client == null) {
            MinioClient.Builder b = MinioClient.builder().endpoint(baseUrl());
            if (!settings.accessKey().isEmpty()) {
                b.credentials(settings.accessKey(), settings.secretKey());
            }
            client = b.build();
            registry.bind(CLIENT, client);
        }
        return client;
    }

    private String baseUrl() {
        return (settings.useSsl() ? "https://" : "http://") + settings.endpoint();
    }

    /** Checks the bucket, then the key and the size for camel-minio. */
    public void prepare(Exchange exchange) throws Exception {
        String bucket = OutputTargets.param(exchange, "bucket");
        if (!client().bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
            throw ActionStop.failure("the bucket '" + bucket + "' does not exist on " + baseUrl());
        }
        exchange.setProperty(PROP_BUCKET, bucket);
        Message m = exchange.getMessage();
        m.setHeader("CamelMinioObjectName", OutputTargets.objectKey(exchange));
        m.setHeader("CamelMinioContentLength", m.getHeader(TalonHeaders.ARTIFACT_SIZE, Long.class));
        m.setHeader("CamelMinioContentType", "application/octet-stream");
    }

    /** After the upload. */
    public void answer(Exchange exchange) {
        OutputTargets.bucketAnswer(exchange, baseUrl() + "/", Map.of());
    }
}
