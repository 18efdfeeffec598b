package org.falcosecurity.talon.kubernetes;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.falcosecurity.talon.contract.ActionResult;
import org.falcosecurity.talon.support.TalonTestServer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Posts a Falco event to the running Talon and returns the results of that event (matched by trace id). */
public final class ActionnerRun {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ActionnerRun() {
    }

    /** A Falco event for the Falco rule {@code falcoRule} with the given output fields. */
    public static String event(String uuid, String falcoRule, Map<String, ?> fields) {
        return event(uuid, falcoRule, fields, "syscall");
    }

    /** The same from another source ({@code k8s_audit}: its hostname is Falco's, not the pod's node). */
    public static String event(String uuid, String falcoRule, Map<String, ?> fields, String source) {
        return event(uuid, falcoRule, fields, source, "node-1");
    }

    /** The same, seen by the Falco of this host (a syscall event's hostname is its node). */
    public static String event(String uuid, String falcoRule, Map<String, ?> fields, String source,
                               String hostname) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("uuid", uuid);
        e.put("rule", falcoRule);
        e.put("priority", "Critical");
        e.put("output", "12:00:00.000000000: Critical " + falcoRule);
        e.put("time", "2026-11-27T12:00:00Z");
        e.put("source", source);
        e.put("hostname", hostname);
        e.put("tags", List.of("container", "mitre_execution"));
        e.put("output_fields", fields);
        try {
            return JSON.writeValueAsString(e);
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Fields naming a pod (k8s.pod.name / k8s.ns.name), plus extra ones given as key, value, key, value... */
    public static Map<String, String> podFields(String ns, String pod, String... extra) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("k8s.ns.name", ns);
        m.put("k8s.pod.name", pod);
        for (int i = 0; i + 1 < extra.length; i += 2) {
            m.put(extra[i], extra[i + 1]);
        }
        return m;
    }

    /** Posts the event and waits for {@code count} results of it. */
    public static List<ActionResult> post(TalonTestServer talon, String falcoRule, Map<String, ?> fields, int count)
            throws Exception {
        return post(talon, "syscall", falcoRule, fields, count);
    }

    static List<ActionResult> post(TalonTestServer talon, String source, String falcoRule, Map<String, ?> fields,
                                   int count) throws Exception {
        return post(talon, source, "node-1", falcoRule, fields, count);
    }

    static List<ActionResult> post(TalonTestServer talon, String source, String hostname, String falcoRule,
                                   Map<String, ?> fields, int count) throws Exception {
        String uuid = UUID.randomUUID().toString();
        assertThat(talon.post(event(uuid, falcoRule, fields, source, hostname)).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> ofTrace(talon, uuid).size() >= count);
        return ofTrace(talon, uuid);
    }

    /** Posts an event of this source and returns its single result. */
    static ActionResult runFrom(TalonTestServer talon, String source, String falcoRule, Map<String, ?> fields)
            throws Exception {
        List<ActionResult> r = post(talon, source, falcoRule, fields, 1);
        assertThat(r).hasSize(1);
        return r.get(0);
    }

    /** Posts a syscall event Falco saw on {@code hostname} and returns its single result. */
    static ActionResult runOn(TalonTestServer talon, String hostname, String falcoRule, Map<String, ?> fields)
            throws Exception {
        List<ActionResult> r = post(talon, "syscall", hostname, falcoRule, fields, 1);
        assertThat(r).hasSize(1);
        return r.get(0);
    }

    /** Posts the event and returns its single result. */
    public static ActionResult run(TalonTestServer talon, String falcoRule, Map<String, ?> fields) throws Exception {
        List<ActionResult> r = post(talon, falcoRule, fields, 1);
        assertThat(r).hasSize(1);
        return r.get(0);
    }

    /** Drains the requests the simulator recorded so far (in order). */
    static List<RecordedRequest> requests(KubernetesMockServer server) throws InterruptedException {
        List<RecordedRequest> out = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(5, TimeUnit.MILLISECONDS)) != null) {
            out.add(r);
        }
        return out;
    }

    /** The recorded requests with this method. */
    static List<RecordedRequest> requests(KubernetesMockServer server, String method) throws InterruptedException {
        return requests(server).stream().filter(r -> r.getMethod().equals(method)).toList();
    }

    private static List<ActionResult> ofTrace(TalonTestServer talon, String uuid) {
        return talon.results().stream().filter(r -> uuid.equals(r.getTraceId())).toList();
    }
}
