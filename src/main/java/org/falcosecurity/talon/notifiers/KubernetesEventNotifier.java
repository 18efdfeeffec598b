package org.falcosecurity.talon.notifiers;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.falcosecurity.talon.catalog.NotifierSpec;
import org.falcosecurity.talon.catalog.Permission;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.contract.SafeText;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Builds the Kubernetes Event of {@code routes/notifier-k8sevents.camel.yaml} ({@code events.k8s.io/v1}, created by
 * camel-kubernetes): in the namespace of the acted-on pod, regarding that pod (with its uid when it still exists),
 * reason {@code falco-talon:<actionner>:<status>}, action {@code <actionner>}, type Normal (Warning on failure),
 * reporting controller {@code falco-talon}, and a note of at most 1024 bytes (the API server's limit) listing status,
 * rule, action, actionner, objects, event, error and output.
 */
public class KubernetesEventNotifier {

    public static final String CONTROLLER = "falco-talon";
    static final int NOTE_LIMIT = 1024;
    private static final int REASON_LIMIT = 128;
    private static final DateTimeFormatter MICRO_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX").withZone(ZoneOffset.UTC);

    /** The declaration: no settings; it needs a cluster, and the right to create Events and read pods. */
    public static final BuiltinNotifier BUILTIN = new BuiltinNotifier(NotifierSpec.builder("k8sevents")
            .description("An events.k8s.io/v1 Event regarding the acted-on pod (Warning for a failure)")
            .needsCluster()
            .permissions("k8sevents", java.util.stream.Stream.concat(
                    Permission.of("", "pods", "the pod the Event is about (its uid)", "get").stream(),
                    Permission.of("events.k8s.io", "events", "create the Event", "create").stream()).toList())
            .example("""
                    k8sevents: {}
                    """)
            .build(),
            c -> new KubernetesEventNotifier(c.kubernetes(), c.instance()), BuiltinNotifier.ComponentSetup.NONE);

    private final Supplier<KubernetesClient> client;
    private final String instance;

    public KubernetesEventNotifier(Supplier<KubernetesClient> client, String instance) {
        this.client = client;
        this.instance = instance == null || instance.isBlank() ? CONTROLLER : instance;
    }

    public void prepare(Exchange exchange) {
        ActionResult r = exchange.getMessage().getBody(ActionResult.class);
        // namespace and pod may come from the event: only names Kubernetes could hold are used in the request's
        // path and the Event's fields (a namespace that is not one: the Event goes to default, about no pod)
        String namespace = r.getObjects().getOrDefault("namespace", "default");
        String pod = r.getObjects().get("pod");
        if (!DNS_LABEL.matcher(namespace).matches()) {
            namespace = "default";
            pod = null;
        }
        if (pod != null && !DNS_SUBDOMAIN.matcher(pod).matches()) {
            pod = null;
        }
        Instant time = time(r);
        EventBuilder event = new EventBuilder()
                .withEventTime(new io.fabric8.kubernetes.api.model.MicroTime(MICRO_TIME.format(time)))
                .withType(ActionResult.FAILURE.equals(r.getStatus()) ? "Warning" : "Normal")
                .withReason(limit("falco-talon:" + r.getActionner() + ":" + r.getStatus(), REASON_LIMIT))
                .withAction(limit(r.getActionner(), REASON_LIMIT))
                .withReportingController(CONTROLLER)
                .withReportingInstance(limit(instance, REASON_LIMIT))
                .withNote(note(r));
        if (pod != null) {
            event.withRegarding(regarding(namespace, pod));
        }
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader("CamelKubernetesNamespaceName", namespace);
        m.setHeader("CamelKubernetesEventName", name(pod, time));
        m.setBody(event);
    }

    private ObjectReference regarding(String namespace, String pod) {
        ObjectReferenceBuilder ref = new ObjectReferenceBuilder().withApiVersion("v1").withKind("Pod")
                .withNamespace(namespace).withName(pod);
        // the pod may be gone (terminated): the Event still names it, without uid
        Pod p = client.get().pods().inNamespace(namespace).withName(pod).get();
        if (p != null && p.getMetadata() != null) {
            ref.withUid(p.getMetadata().getUid()).withResourceVersion(p.getMetadata().getResourceVersion());
        }
        return ref.build();
    }

    private static final java.util.regex.Pattern DNS_LABEL =
            java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final java.util.regex.Pattern DNS_SUBDOMAIN =
            java.util.regex.Pattern.compile("(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    /** {@code <pod>.<hex nanos>}, as the Kubernetes tools name Events; at most 253 characters. */
    static String name(String pod, Instant time) {
        String suffix = "." + Long.toHexString(time.getEpochSecond() * 1_000_000_000L + time.getNano())
                + Long.toHexString(System.nanoTime() & 0xfff);
        String base = pod == null ? CONTROLLER : pod.toLowerCase(Locale.ROOT);
        return limit(base, 253 - suffix.length()) + suffix;
    }

    /**
     * The note: one {@code Label: value} line per field, cut to 1024 bytes of UTF-8 (the API server's limit). Values
     * are written on their line: their own CR, LF and other control characters are escaped ({@code \n}), so a value
     * cannot add a line that looks like another field ({@code kubectl describe} shows the note as it is).
     */
    static String note(ActionResult r) {
        StringBuilder sb = new StringBuilder();
        for (ResultFields.Field f : ResultFields.of(r)) {
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append(f.label()).append(": ");
            SafeText.escapeControls(f.value(), sb);
        }
        return utf8Limit(sb.toString(), NOTE_LIMIT);
    }

    static String utf8Limit(String s, int maxBytes) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= maxBytes) {
            return s;
        }
        String ellipsis = "…";
        int budget = maxBytes - ellipsis.getBytes(StandardCharsets.UTF_8).length;
        StringBuilder out = new StringBuilder();
        int used = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int len = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (used + len > budget) {
                break;
            }
            out.appendCodePoint(cp);
            used += len;
            i += Character.charCount(cp);
        }
        return out.append(ellipsis).toString();
    }

    private static String limit(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    private static Instant time(ActionResult r) {
        return r.getTime();
    }
}
