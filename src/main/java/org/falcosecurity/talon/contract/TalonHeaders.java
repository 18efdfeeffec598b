package org.falcosecurity.talon.contract;

/**
 * The contract between the dispatcher and the actionner / notifier routes.
 *
 * <p>An actionner route ({@code direct:actionner-<category>-<name>}) receives the {@link org.falcosecurity.talon.rules.Event}
 * as body and the headers {@link #RULE}, {@link #ACTION}, {@link #ACTIONNER}, {@link #PARAMETERS}, {@link #TRACE_ID},
 * {@link #FALCO_RULE}, {@link #PRIORITY}, {@link #CONTEXT}, {@link #ADDITIONAL_CONTEXTS}, when the action has an
 * output {@link #OUTPUT_TARGET} and {@link #OUTPUT_PARAMETERS}, and, when the event names them, {@link #POD} and
 * {@link #NAMESPACE}. It
 * answers by setting {@link #STATUS} ({@code success}, {@code failure} or {@code ignored}; unset means success),
 * {@link #OUTPUT}, {@link #ERROR}, {@link #MESSAGE} and {@link #OBJECTS}; an exception it throws becomes a
 * {@code failure} whose error is the exception's message.
 *
 * <p>A notifier route ({@code direct:notifier-<name>}) receives the {@link ActionResult} as body (its JSON is
 * {@code ${body.json}}) and the headers {@link #NOTIFIER}, {@link #STATUS}, {@link #RULE}, {@link #ACTION},
 * {@link #ACTIONNER} and {@link #TRACE_ID}.
 */
public final class TalonHeaders {

    public static final String RULE = "TalonRule";
    public static final String ACTION = "TalonAction";
    public static final String ACTIONNER = "TalonActionner";
    public static final String PARAMETERS = "TalonParameters";
    public static final String TRACE_ID = "TalonTraceId";
    public static final String FALCO_RULE = "TalonFalcoRule";
    public static final String PRIORITY = "TalonPriority";
    public static final String POD = "TalonPod";
    public static final String NAMESPACE = "TalonNamespace";
    /**
     * The action's {@code ttl} in milliseconds (a Long), set only when it has one: a reversible actionner records
     * the revert it then owes on the object it changed.
     */
    public static final String TTL_MILLIS = "TalonTtlMillis";
    /** The event's {@code context} (a map of strings; empty when it had none). */
    public static final String CONTEXT = "TalonContext";
    /** The action's {@code additional_contexts} (a list: {@code aws}, {@code k8snode}). */
    public static final String ADDITIONAL_CONTEXTS = "TalonAdditionalContexts";
    /** The action's {@code output.target}, when it has an output. */
    public static final String OUTPUT_TARGET = "TalonOutputTarget";
    /** The action's {@code output.parameters}, when it has an output. */
    public static final String OUTPUT_PARAMETERS = "TalonOutputParameters";
    /**
     * The W3C {@code traceparent} of the action's span (tracing on, docs/tracing.md): an actionner that calls out (a
     * cloud function, an HTTP API) sends it as the {@code traceparent} header, so the callee's spans join the trace.
     */
    public static final String TRACEPARENT = "TalonTraceparent";

    public static final String STATUS = "TalonStatus";
    public static final String OUTPUT = "TalonOutput";
    public static final String ERROR = "TalonError";
    public static final String MESSAGE = "TalonMessage";
    /** Objects the action touched, added to the defaults (pod, namespace); an empty value removes a default. */
    public static final String OBJECTS = "TalonObjects";
    /** The guard that refused the action (set from {@link ActionStop#getGuard}); the audit trail records it. */
    public static final String REFUSED_BY = "TalonRefusedBy";

    /**
     * The artifact an actionner collected (a {@link Artifact}: a spool file, its name, size and SHA-256); when the
     * action has an output, Talon sends it to the output target, then deletes the spool file.
     */
    public static final String ARTIFACT = "TalonArtifact";

    // the output-target contract (direct:output-<category>-<name>): body = the spool file (java.io.File)
    /** The artifact's name ({@code /etc/passwd}, {@code tcpdump.pcap}, {@code log}). */
    public static final String ARTIFACT_NAME = "TalonArtifactName";
    /** The object key Talon gives it: {@code <UTC 2006-01-02T15-04-05Z>_<namespace>_<pod>_<name>}. */
    public static final String ARTIFACT_KEY = "TalonArtifactKey";
    /** Its size in bytes (a Long). */
    public static final String ARTIFACT_SIZE = "TalonArtifactSize";
    /** Its SHA-256, lower-case hex. */
    public static final String ARTIFACT_SHA256 = "TalonArtifactSha256";
    /** The path of its spool file (the body is the same file); Talon deletes it afterwards. */
    public static final String ARTIFACT_FILE = "TalonArtifactFile";
    /** Out: where the target stored it ({@code s3://bucket/key}, a file path, ...). */
    public static final String ARTIFACT_LOCATION = "TalonArtifactLocation";
    /** What the output step tells the dispatcher about the artifact (an {@link ArtifactInfo}). */
    public static final String ARTIFACT_INFO = "TalonArtifactInfo";

    public static final String NOTIFIER = "TalonNotifier";
    /** Comma-separated queue endpoints of the notifiers a result goes to (set by the dispatcher). */
    public static final String NOTIFIER_QUEUES = "TalonNotifierQueues";

    /** Exchange properties used by the dispatch routes. */
    public static final String PROP_EVENT = "TalonEvent";
    public static final String PROP_PLAN = "TalonPlan";
    /** Whether any rule matched (a Boolean): the intake queues only the events that have something to do. */
    public static final String PROP_MATCHED = "TalonMatched";
    public static final String PROP_PARTITION = "TalonPartition";
    public static final String PROP_ROUTER_STATE = "TalonRouterState";
    public static final String PROP_RECEIVED_NANOS = "TalonReceivedNanos";
    /** The output target route's endpoint of the action being run, built from its validated name only. */
    public static final String PROP_OUTPUT_ENDPOINT = "TalonOutputEndpoint";
    /** The {@link NotificationTracker} of an event read from Kafka (absent in HTTP mode). */
    public static final String PROP_NOTIFICATIONS = "TalonNotifications";

    private TalonHeaders() {
    }
}
