package org.falcosecurity.talon.actionners.kubernetes.capture;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import org.falcosecurity.talon.actionners.kubernetes.BoundedOutput;
import org.falcosecurity.talon.artifacts.ArtifactSpool;
import org.falcosecurity.talon.contract.ActionStop;
import org.falcosecurity.talon.kubernetes.KubernetesErrors;

import java.io.OutputStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * What the capture actionners share: an exec whose standard output streams into an artifact's spool file (stopped
 * early when the artifact passes {@code max_artifact_bytes}), standard error kept bounded for the error message, and
 * the wait for a capture container to run.
 *
 * <p>Every command is an argument vector: parameters and event values are arguments, never shell text.
 */
final class PodStreams {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int STDERR_BYTES = 4096;

    private final KubernetesClient client;
    private final Duration pollInterval;
    private final Duration startTimeout;

    PodStreams(KubernetesClient client, Duration pollInterval, Duration startTimeout) {
        this.client = client;
        this.pollInterval = pollInterval;
        this.startTimeout = startTimeout;
    }

    /** What an exec ended with. */
    record Exit(Integer code, String stderr, boolean overLimit) {
    }

    /** {@code <base><5 hex digits>}, as upstream names its capture containers and Jobs. */
    static String name(String base) {
        byte[] b = new byte[3];
        RANDOM.nextBytes(b);
        return base + HexFormat.of().formatHex(b).substring(0, 5);
    }

    /**
     * Runs {@code argv} in a container, its standard output into {@code out} (a spool writer stops the exec as soon
     * as it is over its limit). A failure when it does not finish within {@code timeout}; the exit code is
     * {@code null} when the stream closed without one.
     */
    Exit exec(String ns, String pod, String container, List<String> argv, OutputStream out, Duration timeout) {
        BoundedOutput err = new BoundedOutput(STDERR_BYTES, false);
        CompletableFuture<Integer> stopped = new CompletableFuture<>();
        String where = "in container " + container + " of pod " + ns + "/" + pod;
        try (ExecWatch watch = client.pods().inNamespace(ns).withName(pod).inContainer(container)
                .writingOutput(out).writingError(err)
                .usingListener((closeCode, reason) -> { })
                .exec(argv.toArray(String[]::new))) {
            if (out instanceof ArtifactSpool.Writer w) {
                w.onLimit(() -> stopped.complete(null));
            }
            Object code = CompletableFuture.anyOf(watch.exitCode(), stopped)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            boolean over = out instanceof ArtifactSpool.Writer w && w.overLimit();
            return new Exit(over ? null : (Integer) code, err.textWithNotice().strip(), over);
        } catch (TimeoutException e) {
            throw ActionStop.failure("'" + argv.get(0) + "' did not finish within " + timeout.toSeconds() + " s "
                    + where);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof KubernetesClientException k) {
                throw k;
            }
            throw ActionStop.failure("'" + argv.get(0) + "' could not run " + where + ": "
                    + KubernetesErrors.text(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ActionStop.failure("interrupted while '" + argv.get(0) + "' ran " + where);
        }
    }

    /**
     * Waits until {@code running} says the capture container runs: reads the pod with {@code read} every poll
     * interval, until the start timeout. A container that stopped, or still waits at the timeout (an image that
     * never pulls), is a failure naming the reason Kubernetes gives.
     *
     * @param status the container's status in a pod read ({@code null} while it has none)
     */
    Pod awaitRunning(String what, java.util.function.Supplier<Pod> read, Function<Pod, ContainerStatus> status) {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        String last = "no status yet";
        while (true) {
            Pod p = read.get();
            if (p == null) {
                throw ActionStop.failure("the pod of " + what + " is gone");
            }
            ContainerStatus s = status.apply(p);
            ContainerState state = s == null ? null : s.getState();
            if (state != null && state.getRunning() != null) {
                return p;
            }
            if (state != null && state.getTerminated() != null) {
                throw ActionStop.failure(what + " stopped before the capture: " + describe(state.getTerminated()
                        .getReason(), state.getTerminated().getMessage(), "exit code "
                        + state.getTerminated().getExitCode()));
            }
            if (state != null && state.getWaiting() != null) {
                last = describe(state.getWaiting().getReason(), state.getWaiting().getMessage(), "waiting");
            }
            if (System.nanoTime() > deadline) {
                throw ActionStop.failure(what + " did not start within " + startTimeout.toSeconds() + " s (" + last
                        + ")");
            }
            try {
                Thread.sleep(pollInterval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ActionStop.failure("interrupted while waiting for " + what);
            }
        }
    }

    private static String describe(String reason, String message, String fallback) {
        String r = reason == null || reason.isEmpty() ? fallback : reason;
        return message == null || message.isEmpty() ? r : r + ": " + message;
    }

    /** {@code the command exited with code 2: <stderr>}. */
    static String failed(String command, Exit exit, String where) {
        String err = exit.stderr().isEmpty() ? "" : ": " + exit.stderr();
        return "'" + command + "' exited with code " + exit.code() + " " + where + err;
    }
}
