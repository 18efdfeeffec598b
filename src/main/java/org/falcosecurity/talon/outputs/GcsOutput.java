package org.falcosecurity.talon.outputs;

import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.spi.Registry;
import org.falcosecurity.talon.catalog.OutputSpec;
import org.falcosecurity.talon.config.Secrets;
import org.falcosecurity.talon.config.Settings;
import org.falcosecurity.talon.contract.ActionStop;
import org.falcosecurity.talon.contract.TalonHeaders;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code gcp:gcs}: a resumable upload of the spool file to {@code bucket} on Google Cloud Storage
 * (camel-google-storage, {@code routes/output-gcp-gcs.camel.yaml}). Credentials: the service-account JSON key file
 * {@code gcp.credentials_path} names (upstream reads that setting as the key's content, a bug), else the application
 * default credentials. The client is made on first use, without retries of its own (the route retries), and bound as
 * {@code talonGcsClient}; the Camel property {@code talon.gcp.storage-host} points it elsewhere than
 * storage.googleapis.com (tests; a private endpoint).
 */
public final class GcsOutput {

    public static final OutputSpec SPEC = OutputSpec.builder("gcp:gcs")
            .description("Store on Google Cloud Storage (credentials: gcp.credentials_path, else the application"
                    + " default credentials)")
            .param(OutputParams.GCS_BUCKET_PARAM)
            .param(OutputParams.PREFIX_PARAM)
            .example("""
                    - action: Get a file of the pod
                      actionner: kubernetes:download
                      parameters:
                        file: ${FD_NAME}
                      output:
                        target: gcp:gcs
                        parameters:
                          bucket: falco-talon
                          prefix: files
                    """)
            .build();

    static final String CLIENT = "talonGcsClient";
    static final String PROP_BUCKET = "TalonGcsBucket";
    private static final List<String> SCOPES = List.of("https://www.googleapis.com/auth/devstorage.read_write");

    private final Settings.Gcp settings;
    private final String host;
    private final Registry registry;
    private Storage client;

    GcsOutput(Settings.Gcp settings, String host, Registry registry) {
        this.settings = settings;
        this.host = host;
        this.registry = registry;
    }

    private synchronized Storage client() {
        if (client != null) {
            return client;
        }
        GoogleCredentials credentials;
        try {
            if (settings.credentialsPath().isEmpty()) {
                credentials = GoogleCredentials.getApplicationDefault();
            } else {
                try (InputStream in = Files.newInputStream(Path.of(settings.credentialsPath()))) {
                    credentials = GoogleCredentials.fromStream(in);
                }
            }
        } catch (IOException e) {
            throw ActionStop.failure("no usable GCP credentials (gcp.credentials_path names the service-account JSON"
                    + " key file; without it, the application default credentials): " + Secrets.describe(e));
        }
        StorageOptions.Builder b = StorageOptions.http().setCredentials(credentials.createScoped(SCOPES))
                .setRetrySettings(StorageOptions.getDefaultRetrySettings().toBuilder().setMaxAttempts(1).build());
        if (credentials instanceof ServiceAccountCredentials sa && sa.getProjectId() != null) {
            b.setProjectId(sa.getProjectId());
        }
        if (host != null && !host.isBlank()) {
            b.setHost(host);
        }
        client = b.build().getService();
        registry.bind(CLIENT, client);
        return client;
    }

    /** The key and the size for camel-google-storage. */
    public void prepare(Exchange exchange) {
        client();
        exchange.setProperty(PROP_BUCKET, OutputTargets.param(exchange, "bucket"));
        Message m = exchange.getMessage();
        m.setHeader("CamelGoogleCloudStorageObjectName", OutputTargets.objectKey(exchange));
        m.setHeader("CamelGoogleCloudStorageContentLength", m.getHeader(TalonHeaders.ARTIFACT_SIZE, Long.class));
        m.setHeader("CamelGoogleCloudStorageContentType", "application/octet-stream");
    }

    /** After the upload. */
    public void answer(Exchange exchange) {
        OutputTargets.bucketAnswer(exchange, "gs://", Map.of());
    }
}
