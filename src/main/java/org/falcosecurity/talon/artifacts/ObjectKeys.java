package org.falcosecurity.talon.artifacts;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The key an artifact is stored under, as upstream Falco Talon builds it: {@code <UTC time>_<namespace>_<pod>_<name>}
 * (time as {@code 2006-01-02T15-04-05Z}), else {@code <time>_<hostname>_<name>}, else the time, the other objects'
 * values in the order of their names, and the name; {@code /} in the name becomes {@code _}.
 *
 * <p>Stricter than upstream: every character outside {@code [A-Za-z0-9._-]} becomes {@code _} too (the name comes
 * from the event: a file path with {@code ${...}}, spaces or line breaks must not reach a storage API, a file name
 * or a Camel header that a component may evaluate), and the name is cut at {@value #MAX_NAME} characters.
 */
public final class ObjectKeys {

    public static final int MAX_NAME = 200;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9._-]");

    private ObjectKeys() {
    }

    public static String key(Instant time, Map<String, String> objects, String name) {
        String ts = TIME.format(time);
        String n = safe(name == null || name.isEmpty() ? "artifact" : name);
        if (n.length() > MAX_NAME) {
            n = n.substring(n.length() - MAX_NAME);
        }
        String ns = objects.get("namespace");
        String pod = objects.get("pod");
        if (notEmpty(ns) && notEmpty(pod)) {
            return ts + "_" + safe(ns) + "_" + safe(pod) + "_" + n;
        }
        String host = objects.get("hostname");
        if (notEmpty(host)) {
            return ts + "_" + safe(host) + "_" + n;
        }
        StringBuilder b = new StringBuilder(ts).append('_');
        new TreeMap<>(objects).forEach((k, v) -> {
            if (!k.equals("file") && v != null) {
                b.append(safe(v)).append('_');
            }
        });
        return b.append(n).toString();
    }

    /** Characters outside {@code [A-Za-z0-9._-]} as {@code _}. */
    public static String safe(String s) {
        return UNSAFE.matcher(s).replaceAll("_");
    }

    /** A prefix and a key joined with one {@code /}; the prefix's leading and trailing slashes dropped. */
    public static String withPrefix(String prefix, String key) {
        String p = prefix == null ? "" : prefix.replaceAll("^/+|/+$", "");
        return p.isEmpty() ? key : p + "/" + key;
    }

    private static boolean notEmpty(String s) {
        return s != null && !s.isEmpty();
    }
}
