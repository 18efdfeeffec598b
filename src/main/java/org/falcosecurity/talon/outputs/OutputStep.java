package org.falcosecurity.talon.outputs;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.falcosecurity.talon.artifacts.ObjectKeys;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.contract.ActionStop;
import org.falcosecurity.talon.contract.Artifact;
import org.falcosecurity.talon.contract.TalonHeaders;
import org.falcosecurity.talon.ops.UpstreamMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bean of Talon's {@code output} route ({@code direct:talon-output}, {@code routes/dispatch.camel.yaml}): the
 * step between an action's actionner and its output target. It keeps the actionner's answer, hands the target the
 * artifact's spool file with the contract headers ({@link #prepare}), and afterwards folds the target's answer into
 * the action's ({@link #finish}, or {@link #failed} once the route's retries are spent): status, output, error,
 * objects and the artifact's name, size, SHA-256 and location. The spool file is deleted either way.
 *
 * <p>As the {@code onRedeliveryRef} of the route's error handling it counts and logs each retry (without the
 * exception's text beyond what {@link OutputErrors#describe} keeps).
 */
public final class OutputStep implements Processor {

    static final String PROP_ANSWER = "TalonActionnerAnswer";
    static final String PROP_ARTIFACT = "TalonOutputArtifact";
    static final String PROP_RETRIES = "TalonOutputRetries";
    private static final Logger LOG = LoggerFactory.getLogger("falco-talon.outputs");

    private final OutputErrors errors;
    private final MeterRegistry metrics;
    private final long maxBytes;
    private final Clock clock;

    /**
     * What the actionner answered, and what the step needs afterwards, kept in a property while the target runs
     * (a target route may drop every header before calling its component).
     */
    record Answer(String output, String message, Map<String, String> objects, String target, String action,
                  String key) {
    }

    OutputStep(OutputErrors errors, MeterRegistry metrics, long maxBytes, Clock clock) {
        this.errors = errors;
        this.metrics = metrics;
        this.maxBytes = maxBytes;
        this.clock = clock;
    }

    /**
     * Whether the action has an output, its actionner neither failed nor was skipped, and it collected an artifact
     * (as upstream, an actionner that collected nothing — a route-defined one that allows an output — leaves the
     * output alone).
     */
    public boolean pending(Exchange exchange) {
        if (exchange.getProperty(TalonHeaders.PROP_OUTPUT_ENDPOINT) == null
                || !(exchange.getMessage().getHeader(TalonHeaders.ARTIFACT) instanceof Artifact)) {
            return false;
        }
        String status = exchange.getMessage().getHeader(TalonHeaders.STATUS, String.class);
        return status == null || status.isBlank() || ActionResult.SUCCESS.equals(status);
    }

    /** Keeps the actionner's answer and sets the target's body (the spool file) and contract headers. */
    public void prepare(Exchange exchange) {
        Message m = exchange.getMessage();
        Map<String, String> objects = new LinkedHashMap<>();
        putIfSet(objects, "pod", m.getHeader(TalonHeaders.POD, String.class));
        putIfSet(objects, "namespace", m.getHeader(TalonHeaders.NAMESPACE, String.class));
        if (m.getHeader(TalonHeaders.OBJECTS) instanceof Map<?, ?> given) {
            given.forEach((k, v) -> {
                if (k != null && v != null) {
                    objects.put(String.valueOf(k), String.valueOf(v));
                }
            });
        }
        objects.values().removeIf(String::isEmpty);
        String answerOutput = m.getHeader(TalonHeaders.OUTPUT, String.class);
        String answerMessage = m.getHeader(TalonHeaders.MESSAGE, String.class);
        Artifact artifact = m.getHeader(TalonHeaders.ARTIFACT, Artifact.class);
        for (String h : new String[] {TalonHeaders.STATUS, TalonHeaders.OUTPUT, TalonHeaders.ERROR,
                TalonHeaders.MESSAGE, TalonHeaders.ARTIFACT, TalonHeaders.ARTIFACT_LOCATION}) {
            m.removeHeader(h);
        }
        String key = ObjectKeys.key(clock.instant(), objects, artifact.name());
        exchange.setProperty(PROP_ANSWER, new Answer(answerOutput, answerMessage, objects,
                m.getHeader(TalonHeaders.OUTPUT_TARGET, String.class), m.getHeader(TalonHeaders.ACTION, String.class),
                key));
        exchange.setProperty(PROP_ARTIFACT, artifact);
        if (artifact.size() > maxBytes) {
            throw ActionStop.failure("the artifact '" + artifact.name() + "' is " + artifact.size()
                    + " bytes, larger than max_artifact_bytes (" + maxBytes + " bytes)");
        }
        m.setHeader(TalonHeaders.ARTIFACT_NAME, artifact.name());
        m.setHeader(TalonHeaders.ARTIFACT_KEY, key);
        m.setHeader(TalonHeaders.ARTIFACT_SIZE, artifact.size());
        m.setHeader(TalonHeaders.ARTIFACT_SHA256, artifact.sha256());
        m.setHeader(TalonHeaders.ARTIFACT_FILE, artifact.file().toString());
        m.setHeader(TalonHeaders.OBJECTS, new LinkedHashMap<>(objects));
        m.setBody(artifact.file().toFile());
    }

    /** After the target: its answer (unset status = success) folded into the action's. */
    public void finish(Exchange exchange) {
        Message m = exchange.getMessage();
        String status = m.getHeader(TalonHeaders.STATUS, String.class);
        String error = m.getHeader(TalonHeaders.ERROR, String.class);
        boolean ok = status == null || status.isBlank() || ActionResult.SUCCESS.equals(status);
        if (!ok && !ActionResult.FAILURE.equals(status)) {
            error = "the output route set an unknown status '" + status + "'";
        }
        String location = m.getHeader(TalonHeaders.ARTIFACT_LOCATION, String.class);
        Answer a = exchange.getProperty(PROP_ANSWER, Answer.class);
        if (ok && (location == null || location.isBlank()) && a != null) {
            location = a.target() + ":" + a.key();
        }
        Map<String, String> targetObjects = new LinkedHashMap<>();
        if (m.getHeader(TalonHeaders.OBJECTS) instanceof Map<?, ?> given) {
            given.forEach((k, v) -> {
                if (k != null && v != null) {
                    targetObjects.put(String.valueOf(k), String.valueOf(v));
                }
            });
        }
        done(exchange, ok, m.getHeader(TalonHeaders.OUTPUT, String.class),
                error == null || error.isBlank() ? "failed" : error, targetObjects, location);
    }

    /** The target failed for good (after its retries): the action is a failure with the target's error. */
    public void failed(Exchange exchange) {
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Integer retries = exchange.getProperty(PROP_RETRIES, Integer.class);
        String error = errors.describe(t) + (retries == null || retries == 0 ? ""
                : " (after " + retries + (retries == 1 ? " retry)" : " retries)"));
        done(exchange, false, "", error, Map.of(), "");
    }

    public boolean retriable(Throwable t) {
        return errors.retriable(t);
    }

    /** Each retry of a failed upload: counted for the result's error, logged as a warning. */
    @Override
    public void process(Exchange exchange) {
        Integer n = exchange.getProperty(PROP_RETRIES, Integer.class);
        int retries = n == null ? 1 : n + 1;
        exchange.setProperty(PROP_RETRIES, retries);
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (t == null) {
            t = exchange.getException();
        }
        Message m = exchange.getMessage();
        LOG.warn("output {} of action '{}' (rule '{}'): upload failed ({}), retry {}",
                m.getHeader(TalonHeaders.OUTPUT_TARGET), m.getHeader(TalonHeaders.ACTION),
                m.getHeader(TalonHeaders.RULE), errors.describe(t), retries);
    }

    private void done(Exchange exchange, boolean ok, String targetOutput, String error,
                      Map<String, String> targetObjects, String location) {
        Message m = exchange.getMessage();
        Answer a = exchange.getProperty(PROP_ANSWER, Answer.class);
        Artifact artifact = exchange.getProperty(PROP_ARTIFACT, Artifact.class);
        String target = a == null ? m.getHeader(TalonHeaders.OUTPUT_TARGET, String.class) : a.target();
        m.setHeader(TalonHeaders.STATUS, ok ? ActionResult.SUCCESS : ActionResult.FAILURE);
        m.setHeader(TalonHeaders.OUTPUT, join(a == null ? null : a.output(), targetOutput));
        if (ok) {
            m.removeHeader(TalonHeaders.ERROR);
        } else {
            m.setHeader(TalonHeaders.ERROR, "output " + target + ": " + error);
        }
        if (a != null && a.message() != null) {
            m.setHeader(TalonHeaders.MESSAGE, a.message());
        } else {
            m.removeHeader(TalonHeaders.MESSAGE);
        }
        Map<String, String> objects = new LinkedHashMap<>(a == null ? Map.of() : a.objects());
        objects.putAll(targetObjects);
        m.setHeader(TalonHeaders.OBJECTS, objects);
        if (artifact != null) {
            m.setHeader(TalonHeaders.ARTIFACT_INFO, artifact.info(target, ok ? location : ""));
            artifact.delete();
        }
        for (String h : new String[] {TalonHeaders.ARTIFACT, TalonHeaders.ARTIFACT_NAME, TalonHeaders.ARTIFACT_KEY,
                TalonHeaders.ARTIFACT_SIZE, TalonHeaders.ARTIFACT_SHA256, TalonHeaders.ARTIFACT_FILE,
                TalonHeaders.ARTIFACT_LOCATION}) {
            m.removeHeader(h);
        }
        m.setBody(null);
        exchange.removeProperty(PROP_ANSWER);
        exchange.removeProperty(PROP_ARTIFACT);
        exchange.removeProperty(PROP_RETRIES);
        if (metrics != null && target != null) {
            UpstreamMetrics.output(metrics, a == null ? String.valueOf(m.getHeader(TalonHeaders.ACTION)) : a.action(),
                    target,
                    ok ? ActionResult.SUCCESS : ActionResult.FAILURE);
        }
    }

    private static String join(String first, String second) {
        boolean a = first != null && !first.isBlank();
        boolean b = second != null && !second.isBlank();
        if (a && b) {
            return first + (first.endsWith("\n") ? "" : "\n") + second;
        }
        return a ? first : b ? second : "";
    }

    private static void putIfSet(Map<String, String> m, String k, String v) {
        if (v != null && !v.isEmpty()) {
            m.put(k, v);
        }
    }
}
