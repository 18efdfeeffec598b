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
import org.falcosecurity.talon.contract.Artifact;
import org.falcosecurity.talon.kubernetes.KubernetesErrors;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.IntPredicate;

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
     *
     * <p>Standard output is read from the exec's own stream, in order, until its end (which comes with the exit
     * status): every byte is in {@code out} before this returns. (fabric8's {@code writingOutput} writes on another
     * thread and may still hold the last bytes when the exit code arrives.)
     */
    Exit exec(String ns, String pod, String container, List<String> argv, OutputStream out, Duration timeout) {
        BoundedOutput err = new BoundedOutput(STDERR_BYTES, false);
        String where = "in container " + container + " of pod " + ns + "/" + pod;
        long deadline = System.nanoTime() + timeout.toNanos();
        try (ExecWatch watch = client.pods().inNamespace(ns).withName(pod).inContainer(container)
                .redirectingOutput().writingError(err)
                .usingListener((closeCode, reason) -> { })
                .exec(argv.toArray(String[]::new))) {
            CompletableFuture<Void> copied = new CompletableFuture<>();
            Thread copier = new Thread(() -> {
                try (InputStream in = watch.getOutput()) {
                    byte[] buf = new byte[64 * 1024];
                    int n;
                    while (!(out instanceof ArtifactSpool.Writer w && w.overLimit()) && (n = in.read(buf)) >= 0) {
                        out.write(buf, 0, n);
                    }
                    copied.complete(null);
                } catch (IOException e) {
                    // the stream ends with an error once a command exits non-zero, after every byte it wrote
                    CompletableFuture<Integer> exit = watch.exitCode();
                    if (exit.isDone() && !exit.isCompletedExceptionally()) {
                        copied.complete(null);
                    } else {
                        copied.completeExceptionally(e);
                    }
                } catch (RuntimeException e) {
                    copied.completeExceptionally(e);
                }
            }, "talon-capture-copy");
            copier.setDaemon(true);
            copier.start();
            try {
                copied.get(Math.max(1, remaining(deadline)), TimeUnit.MILLISECONDS);
            } finally {
                copier.interrupt();
            }
            boolean over = out instanceof ArtifactSpool.Writer w && w.overLimit();
            Integer code = over ? null : watch.exitCode().get(Math.max(1, remaining(deadline)),
                    TimeUnit.MILLISECONDS);
            return new Exit(code, err.textWithNotice().strip(), over);
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
     * Runs {@code argv} with its standard output into a new artifact {@code name}: an exit code {@code ok} accepts
     * (or a stream stopped at {@code max_artifact_bytes}, which {@link ArtifactSpool.Writer#finish} turns into a
     * failure saying so) gives the artifact; any other is a failure naming {@code command}, {@code where} and its
     * standard error. Every failure carries {@code objects}; the spool file goes with it.
     */
    Artifact toArtifact(ArtifactSpool spool, String name, String ns, String pod, String container, List<String> argv,
                        Duration timeout, IntPredicate ok, String command, String where, Map<String, String> objects) {
        ArtifactSpool.Writer w = spool.open(name);
        Exit exit;
        try {
            exit = exec(ns, pod, container, argv, w, timeout);
        } catch (RuntimeException e) {
            w.abort();
            throw e instanceof ActionStop s ? s.withObjects(objects) : e;
        }
        if (!exit.overLimit() && exit.code() != null && !ok.test(exit.code())) {
            w.abort();
            throw ActionStop.failure(failed(command, exit, where)).withObjects(objects);
        }
        try {
            return w.finish();
        } catch (ActionStop s) {
            throw s.withObjects(objects);
        }
    }

    private static long remaining(long deadline) {
        return TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
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
