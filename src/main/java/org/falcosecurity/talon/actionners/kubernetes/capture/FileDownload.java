package org.falcosecurity.talon.actionners.kubernetes.capture;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.falcosecurity.talon.actionners.kubernetes.EventVariables;
import org.falcosecurity.talon.artifacts.ArtifactSpool;
import org.falcosecurity.talon.catalog.ActionnerSpec;
import org.falcosecurity.talon.catalog.Checks;
import org.falcosecurity.talon.catalog.OutputUse;
import org.falcosecurity.talon.catalog.ParamSpec;
import org.falcosecurity.talon.catalog.Permission;
import org.falcosecurity.talon.contract.ActionStop;
import org.falcosecurity.talon.contract.Artifact;
import org.falcosecurity.talon.contract.Outcome;
import org.falcosecurity.talon.kubernetes.ClusterAccess;
import org.falcosecurity.talon.kubernetes.KubernetesTarget;
import org.falcosecurity.talon.rules.Event;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.falcosecurity.talon.actionners.kubernetes.KubernetesDeclarations.POD_FIELDS;
import static org.falcosecurity.talon.actionners.kubernetes.KubernetesDeclarations.concat;

/**
 * {@code kubernetes:download}: copies a file out of the pod into the artifact spool with {@code cat -- <file>} (an
 * exec whose argument vector carries the path as one argument: never shell text), trying the pod's containers in
 * order until one can read it. {@code file} is expanded from the event first ({@code ${FD_NAME}}, as for exec).
 */
public final class FileDownload {

    /** The most characters of the expanded path (Linux's PATH_MAX). */
    static final int MAX_PATH = 4096;

    public static final ActionnerSpec SPEC = ActionnerSpec.builder("kubernetes:download")
            .description("Download a file from the pod")
            .source("syscalls")
            .requiredFields(POD_FIELDS)
            .param(ParamSpec.required("file", ParamSpec.Type.STRING).withCheck(Checks.both(Checks.NOT_BLANK,
                    Checks.maxBytes(MAX_PATH)))
                    .describedAs("The full path of the file; `$VAR` / `${VAR}` take the event's values, as for"
                            + " kubernetes:exec (`${FD_NAME}`)"))
            .output(OutputUse.REQUIRED)
            .permissions("download", concat(
                    Permission.of("", "pods", "read the pod; the client checks it is ready before exec", "get",
                            "list", "watch"),
                    Permission.of("", "pods/exec", "cat the file: a WebSocket GET, authorized as create from"
                            + " Kubernetes 1.30", "get", "create")))
            .example("""
                    - action: Keep the file the process wrote
                      actionner: kubernetes:download
                      parameters:
                        file: ${FD_NAME}
                      output:
                        target: aws:s3
                        parameters:
                          bucket: my-bucket
                          prefix: /files/
                    """)
            .build();

    private final ClusterAccess cluster;
    private final ArtifactSpool spool;
    private final Duration timeout;

    public FileDownload(ClusterAccess cluster, ArtifactSpool spool, Duration timeout) {
        this.cluster = cluster;
        this.spool = spool;
        this.timeout = timeout;
    }

    public Outcome download(@Body Event event, @ExchangeProperty(KubernetesTarget.POD_PROPERTY) Pod pod,
                            @Header("TalonParameters") Map<String, Object> params) {
        String file = EventVariables.expand(String.valueOf(params.get("file")), event);
        Map<String, String> objects = KubernetesTarget.objects(pod);
        if (file.isBlank() || file.indexOf('\0') >= 0 || file.length() > MAX_PATH) {
            throw ActionStop.failure("the file to download is empty, too long or holds a NUL once expanded from"
                    + " the event").withObjects(objects);
        }
        objects.put("file", file);
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        List<String> containers = pod.getSpec().getContainers().stream().map(Container::getName).toList();
        if (containers.isEmpty()) {
            throw ActionStop.failure("pod " + KubernetesTarget.ref(pod) + " has no containers").withObjects(objects);
        }
        PodStreams streams = new PodStreams(cluster.client(), Duration.ZERO, Duration.ZERO);
        List<String> errors = new ArrayList<>();
        for (String container : containers) {
            ArtifactSpool.Writer w = spool.open(file);
            PodStreams.Exit exit;
            try {
                exit = streams.exec(ns, name, container, List.of("cat", "--", file), w, timeout);
            } catch (RuntimeException e) {
                w.abort();
                throw e instanceof ActionStop s ? s.withObjects(objects) : e;
            }
            if (exit.overLimit() || exit.code() == null || exit.code() == 0) {
                Artifact a = finish(w, objects);
                objects.put("container", container);
                return new Outcome("the file '" + file + "' has been downloaded from container " + container + " ("
                        + a.size() + " bytes)", objects, a);
            }
            w.abort();
            errors.add(container + ": " + (exit.stderr().isEmpty() ? "exit code " + exit.code() : exit.stderr()));
        }
        throw ActionStop.failure("cannot read '" + file + "' in any container of pod " + KubernetesTarget.ref(pod)
                + " (" + String.join("; ", errors) + ")").withObjects(objects);
    }

    private static Artifact finish(ArtifactSpool.Writer w, Map<String, String> objects) {
        try {
            return w.finish();
        } catch (ActionStop s) {
            throw s.withObjects(objects);
        }
    }
}
