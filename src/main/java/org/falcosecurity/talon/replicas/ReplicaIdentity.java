package org.falcosecurity.talon.replicas;

import org.falcosecurity.talon.config.TalonConfig;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Who this replica is among the others, as upstream Falco Talon finds it: its name in the Lease ({@code
 * replicas.identity}, else {@code POD_NAME} from the Downward API, else the host name), the namespace of the Lease and
 * of the shared counters ({@code replicas.namespace}, else {@code NAMESPACE}, else the mounted service account's
 * namespace, else {@code falco}), and the URL the others forward events to while it leads ({@code
 * replicas.advertise_url}, else {@code http(s)://POD_IP:listen_port}, HTTPS when the intake serves TLS).
 */
public record ReplicaIdentity(String name, String namespace, String advertiseUrl) {

    public static final Path SERVICE_ACCOUNT_NAMESPACE =
            Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
    static final String DEFAULT_NAMESPACE = "falco";

    public static ReplicaIdentity of(TalonConfig config, Map<String, String> env) {
        return of(config, env, SERVICE_ACCOUNT_NAMESPACE);
    }

    static ReplicaIdentity of(TalonConfig config, Map<String, String> env, Path serviceAccountNamespace) {
        var r = config.replicas();
        String name = first(r.identity(), env.get("POD_NAME"), env.get("HOSTNAME"), localHostName());
        String namespace = first(r.namespace(), env.get("NAMESPACE"), read(serviceAccountNamespace),
                DEFAULT_NAMESPACE);
        String url = r.advertiseUrl();
        if (url.isEmpty()) {
            String scheme = config.tls().keystore().isEmpty() ? "http" : "https";
            String host = first(env.get("POD_IP"), localAddress());
            url = scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + config.listenPort();
        }
        return new ReplicaIdentity(name, namespace, stripSlash(url));
    }

    private static String first(String... candidates) {
        for (String c : candidates) {
            if (c != null && !c.isBlank()) {
                return c.strip();
            }
        }
        return "";
    }

    private static String read(Path p) {
        try {
            return Files.isReadable(p) ? Files.readString(p, StandardCharsets.UTF_8).strip() : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "falco-talon";
        }
    }

    private static String localAddress() {
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (IOException e) {
            return "127.0.0.1";
        }
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
