package org.falcosecurity.talon.actionners.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.falcosecurity.talon.catalog.ActionnerSpec;
import org.falcosecurity.talon.catalog.Checks;
import org.falcosecurity.talon.catalog.ParamSpec;
import org.falcosecurity.talon.catalog.Permission;
import org.falcosecurity.talon.contract.ActionStop;
import org.falcosecurity.talon.contract.Outcome;
import org.falcosecurity.talon.kubernetes.ClusterAccess;
import org.falcosecurity.talon.kubernetes.Containers;
import org.falcosecurity.talon.kubernetes.KubernetesErrors;
import org.falcosecurity.talon.kubernetes.KubernetesTarget;
import org.falcosecurity.talon.rules.Event;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.falcosecurity.talon.actionners.kubernetes.KubernetesDeclarations.*;

/**
 * {@code kubernetes:exec} and {@code kubernetes:script}: runs {@code <shell> -c <command or script>} in a container
 * of the pod, with the event's values as variables (see {@link EventVariables}), and reports what it printed.
 * A non-zero exit code is a failure; a command still running after the timeout is a failure too. When the stream
 * closes without an exit status the result is a success whose output says so.
 */
public final class PodCommands {

    /**
     * Largest script of {@code kubernetes:script} (inline or file). The script travels as one argument of the exec
     * call, in the API request's URL, and Linux caps one argument at 128 KiB.
     */
    public static final int MAX_SCRIPT_BYTES = 64 * 1024;
    /** Largest command of {@code kubernetes:exec}. */
    public static final int MAX_COMMAND_BYTES = 16 * 1024;
    public static final String DEFAULT_SHELL = "/bin/sh";

    private static final ParamSpec SHELL = ParamSpec.of("shell", ParamSpec.Type.STRING)
            .withCheck(PodCommands::shellProblem).withDefault(DEFAULT_SHELL)
            .describedAs("The shell that runs it (one program, no arguments)");
    private static final List<Permission> EXEC = concat(
            Permission.of("", "pods", "read the pod; the client checks it is ready before exec", "get", "list",
                    "watch"),
            Permission.of("", "pods/exec", "exec: a WebSocket GET, authorized as create from Kubernetes 1.30", "get",
                    "create"));

    /** {@code kubernetes:exec}. */
    public static final ActionnerSpec EXEC_SPEC = ActionnerSpec.builder("kubernetes:exec")
            .description("Run a command in the pod")
            .requiredFields(POD_FIELDS)
            .param(ParamSpec.required("command", ParamSpec.Type.STRING).withCheck(Checks.both(Checks.NOT_BLANK,
                    Checks.maxBytes(MAX_COMMAND_BYTES))).describedAs("The command line, run with <shell> -c"))
            .param(SHELL)
            .param(CONTAINER)
            .usesContext()
            .permissions("exec", EXEC)
            .example("""
                    - action: Show the processes and the offending command line
                      actionner: kubernetes:exec
                      parameters:
                        shell: /bin/sh
                        command: 'ps ax; echo "flagged by ${RULE}: $PROC_CMDLINE"'
                    """)
            .build();

    /** {@code kubernetes:script}. */
    public static final ActionnerSpec SCRIPT_SPEC = ActionnerSpec.builder("kubernetes:script")
            .description("Run a script in the pod")
            .requiredFields(POD_FIELDS)
            .param(ParamSpec.of("script", ParamSpec.Type.STRING).withCheck(Checks.both(Checks.NOT_BLANK,
                    Checks.maxBytes(MAX_SCRIPT_BYTES))).describedAs("The script text (at most 64 KiB)"))
            .param(ParamSpec.of("file", ParamSpec.Type.STRING).withCheck(Checks.NOT_BLANK)
                    .describedAs("A script file, read when the rules load (relative to the rule file)"))
            .param(SHELL)
            .param(CONTAINER)
            .constraint(p -> {
                boolean s = p.get("script") != null;
                boolean f = p.get("file") != null;
                if (s && f) {
                    return List.of(new org.falcosecurity.talon.catalog.Problem("parameters",
                            "'script' and 'file' are both set; set exactly one"));
                }
                if (!s && !f) {
                    return List.of(new org.falcosecurity.talon.catalog.Problem("parameters",
                            "one of 'script' or 'file' is required"));
                }
                return List.of();
            })
            .resolver(PodCommands::readScriptFile)
            .usesContext()
            .permissions("exec", EXEC)
            .example("""
                    - action: Collect evidence
                      actionner: kubernetes:script
                      parameters:
                        script: |
                          ps ax
                          echo "rule=$RULE pod=$K8S_POD_NAME"
                    """)
            .build();

    /** The shell is one program (a path or a name), run as {@code <shell> -c <command>}. */
    private static String shellProblem(Object v) {
        String s = (String) v;
        if (s.isBlank()) {
            return "must not be empty";
        }
        return s.chars().anyMatch(Character::isWhitespace)
                ? "must be a single program such as /bin/bash (no spaces or arguments), got '" + s + "'" : null;
    }

    /** Reads {@code file} (relative to the rule file's directory) into {@code script}. */
    private static Map<String, Object> readScriptFile(Map<String, Object> params, Path ruleDir) {
        Object file = params.get("file");
        if (!(file instanceof String f)) {
            return params;
        }
        Path p = Path.of(f);
        if (!p.isAbsolute() && ruleDir != null) {
            p = ruleDir.resolve(p);
        }
        try {
            if (Files.size(p) > MAX_SCRIPT_BYTES) {
                throw new ActionnerSpec.InvalidParameterException("parameters.file", "'" + f + "' is larger than "
                        + MAX_SCRIPT_BYTES + " bytes");
            }
            String script = Files.readString(p);
            if (script.isBlank()) {
                throw new ActionnerSpec.InvalidParameterException("parameters.file", "'" + f + "' is empty");
            }
            Map<String, Object> out = new LinkedHashMap<>(params);
            out.put("script", script);
            return out;
        } catch (IOException e) {
            throw new ActionnerSpec.InvalidParameterException("parameters.file", "cannot read '" + f + "' ("
                    + p.toAbsolutePath() + "): " + e.getClass().getSimpleName());
        }
    }

    private final ClusterAccess cluster;
    private final int maxOutputBytes;
    private final Duration timeout;

    /**
     * @param maxOutputBytes the most bytes of standard output kept for the result (and a quarter of it for standard
     *                       error); the rest is counted and dropped
     * @param timeout        how long a command may run
     */
    public PodCommands(ClusterAccess cluster, int maxOutputBytes, Duration timeout) {
        this.cluster = cluster;
        this.maxOutputBytes = maxOutputBytes;
        this.timeout = timeout;
    }

    public Outcome exec(@Body Event event, @ExchangeProperty(KubernetesTarget.POD_PROPERTY) Pod pod,
                        @Header("TalonParameters") Map<String, Object> params) {
        return run(event, pod, params, (String) params.get("command"), "command");
    }

    public Outcome script(@Body Event event, @ExchangeProperty(KubernetesTarget.POD_PROPERTY) Pod pod,
                          @Header("TalonParameters") Map<String, Object> params) {
        return run(event, pod, params, (String) params.get("script"), "script");
    }

    private Outcome run(Event event, Pod pod, Map<String, Object> params, String text, String what) {
        String container = Containers.pick(pod, params.get("container"));
        String shell = String.valueOf(params.getOrDefault("shell", DEFAULT_SHELL));
        List<String> argv = EventVariables.argv(shell, text, event);
        BoundedOutput out = new BoundedOutput(maxOutputBytes, false);
        BoundedOutput err = new BoundedOutput(Math.max(1024, maxOutputBytes / 4), false);
        Map<String, String> objects = KubernetesTarget.objects(pod);
        objects.put("container", container);
        String where = "in container " + container + " of pod " + KubernetesTarget.ref(pod);
        Integer code;
        try (ExecWatch watch = cluster.client().pods().inNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName()).inContainer(container)
                .writingOutput(out).writingError(err)
                // the failure is reported in the result; without a listener fabric8 logs it again with a stack trace
                .usingListener((closeCode, reason) -> { })
                .exec(argv.toArray(String[]::new))) {
            code = watch.exitCode().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw ActionStop.failure("the " + what + " did not finish within " + timeout.toSeconds() + " s " + where,
                    output(out, err)).withObjects(objects);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof KubernetesClientException k) {
                throw k;
            }
            throw ActionStop.failure("the " + what + " could not run " + where + ": "
                    + KubernetesErrors.text(e.getCause()), output(out, err)).withObjects(objects);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ActionStop.failure("interrupted while the " + what + " ran " + where, output(out, err))
                    .withObjects(objects);
        }
        if (code != null && code != 0) {
            throw ActionStop.failure("the " + what + " exited with code " + code + " " + where, output(out, err))
                    .withObjects(objects);
        }
        // no exit status: the stream closed without one (API servers send it when the command exits)
        return new Outcome(output(out, err) + (code == null ? "\n[no exit status received]" : ""), objects);
    }

    private static String output(BoundedOutput out, BoundedOutput err) {
        String o = out.textWithNotice();
        if (err.total() == 0) {
            return o;
        }
        return o + (o.isEmpty() || o.endsWith("\n") ? "" : "\n") + "[stderr]\n" + err.textWithNotice();
    }
}
