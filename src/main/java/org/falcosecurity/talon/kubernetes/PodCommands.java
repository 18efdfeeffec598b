package org.falcosecurity.talon.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.falcosecurity.talon.rules.BuiltinActionners;
import org.falcosecurity.talon.rules.Event;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code kubernetes:exec} and {@code kubernetes:script}: runs {@code <shell> -c <command or script>} in a container
 * of the pod, with the event's values as variables (see {@link EventVariables}), and reports what it printed.
 * A non-zero exit code is a failure; a command still running after the timeout is a failure too. When the stream
 * closes without an exit status the result is a success whose output says so.
 */
public final class PodCommands {

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
        String shell = String.valueOf(params.getOrDefault("shell", BuiltinActionners.DEFAULT_SHELL));
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
