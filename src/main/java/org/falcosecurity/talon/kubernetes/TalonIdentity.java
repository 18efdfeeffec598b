package org.falcosecurity.talon.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

/**
 * Who Talon is in its cluster, so that it never acts on itself: its namespace, its pod and its service account
 * (empty when unknown, e.g. outside a cluster).
 *
 * <p>From the Downward API variables the chart and the manifests set — {@code NAMESPACE}
 * ({@code metadata.namespace}), {@code POD_NAME} ({@code metadata.name}), {@code SERVICE_ACCOUNT}
 * ({@code spec.serviceAccountName}) — else from the mounted service account: its {@code namespace} file, and the
 * {@code system:serviceaccount:<namespace>:<name>} subject of its token.
 */
public record TalonIdentity(String namespace, String podName, String serviceAccount) {

    public static final Path SERVICE_ACCOUNT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");
    private static final String SUBJECT_PREFIX = "system:serviceaccount:";

    public TalonIdentity {
        namespace = namespace == null ? "" : namespace.strip();
        podName = podName == null ? "" : podName.strip();
        serviceAccount = serviceAccount == null ? "" : serviceAccount.strip();
    }

    /** Nobody: Talon runs outside a cluster, or the tests say so. */
    public static TalonIdentity none() {
        return new TalonIdentity("", "", "");
    }

    /** From the environment and the service account mounted in {@code saDir}. */
    public static TalonIdentity of(Map<String, String> env, Path saDir) {
        String ns = env.getOrDefault("NAMESPACE", "");
        String pod = env.getOrDefault("POD_NAME", "");
        String sa = env.getOrDefault("SERVICE_ACCOUNT", "");
        if (ns.isBlank()) {
            ns = read(saDir.resolve("namespace"));
        }
        if (sa.isBlank()) {
            String subject = tokenSubject(read(saDir.resolve("token")));
            if (subject.startsWith(SUBJECT_PREFIX)) {
                String[] parts = subject.substring(SUBJECT_PREFIX.length()).split(":", 2);
                if (parts.length == 2) {
                    sa = parts[1];
                    ns = ns.isBlank() ? parts[0] : ns;
                }
            }
        }
        if (pod.isBlank() && !ns.isBlank()) {
            // in a pod the host name is the pod name (unless the pod sets hostname)
            pod = env.getOrDefault("HOSTNAME", "");
        }
        return new TalonIdentity(ns, pod, sa);
    }

    /** Whether Talon knows its own namespace (it runs in a cluster). */
    public boolean known() {
        return !namespace.isEmpty();
    }

    /** The {@code sub} claim of a service account token (a JWT), or empty. */
    static String tokenSubject(String jwt) {
        String[] parts = jwt.split("\\.");
        if (parts.length < 2) {
            return "";
        }
        try {
            JsonNode claims = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(parts[1]));
            return claims.path("sub").asText("");
        } catch (IOException | IllegalArgumentException e) {
            return "";
        }
    }

    private static String read(Path p) {
        try {
            return Files.isReadable(p) ? Files.readString(p, StandardCharsets.UTF_8).strip() : "";
        } catch (IOException e) {
            return "";
        }
    }
}
