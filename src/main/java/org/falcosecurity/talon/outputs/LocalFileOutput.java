package org.falcosecurity.talon.outputs;

import org.apache.camel.Exchange;
import org.falcosecurity.talon.catalog.OutputSpec;
import org.falcosecurity.talon.catalog.ParamSpec;
import org.falcosecurity.talon.contract.ActionStop;
import org.falcosecurity.talon.contract.TalonHeaders;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code local:file}: the artifact as a file named by its key in {@code destination}, an existing directory (Talon
 * never creates it), mode 0600, written under a temporary name then renamed (camel-file,
 * {@code routes/output-local-file.camel.yaml}). An existing file of the same name is never overwritten.
 */
public final class LocalFileOutput {

    /** The directory goes into the camel-file URI: only plain path characters. */
    private static final Pattern DIRECTORY = Pattern.compile("^/[A-Za-z0-9._/+@,= -]*$");

    public static final OutputSpec SPEC = OutputSpec.builder("local:file")
            .description("Store on the local file system: a file (mode 0600) named by the artifact's key")
            .param(ParamSpec.required("destination", ParamSpec.Type.STRING)
                    .withCheck(v -> DIRECTORY.matcher((String) v).matches() && !((String) v).contains("/../")
                            && !((String) v).endsWith("/..") ? null
                            : "must be an absolute directory path of letters, digits and ._/+@,=- (no '..'), got '"
                            + v + "'")
                    .describedAs("Destination directory (it must exist; Talon does not create it)"))
            .example("""
                    - action: Get a file of the pod
                      actionner: kubernetes:download
                      parameters:
                        file: ${FD_NAME}
                      output:
                        target: local:file
                        parameters:
                          destination: /var/log/falco-talon/
                    """)
            .build();

    static final String PROP_DIRECTORY = "TalonFileDirectory";

    /** Checks the destination and names the file. */
    public void prepare(Exchange exchange) {
        String dest = OutputTargets.param(exchange, "destination").replaceAll("/+$", "");
        if (dest.isEmpty()) {
            dest = "/";
        }
        if (!Files.isDirectory(Path.of(dest))) {
            throw ActionStop.failure("the destination '" + dest + "' is not an existing directory (Talon does not"
                    + " create it)");
        }
        exchange.setProperty(PROP_DIRECTORY, dest);
        exchange.getMessage().setHeader(Exchange.FILE_NAME,
                exchange.getMessage().getHeader(TalonHeaders.ARTIFACT_KEY, String.class));
    }

    /** After camel-file wrote it. */
    public void answer(Exchange exchange) {
        String dest = exchange.getProperty(PROP_DIRECTORY, String.class);
        String file = (dest.endsWith("/") ? dest : dest + "/")
                + exchange.getMessage().getHeader(TalonHeaders.ARTIFACT_KEY, String.class);
        Map<String, String> objects = new LinkedHashMap<>();
        objects.put("file", OutputTargets.artifactName(exchange));
        objects.put("destination", file);
        OutputTargets.answer(exchange, file, objects, "the file '" + OutputTargets.artifactName(exchange)
                + "' has been copied to '" + file + "'");
    }
}
