package org.falcosecurity.talon.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Which settings and parameters hold secrets, and how they are masked wherever Talon prints them. */
public final class Secrets {

    public static final String MASK = "******";

    /** Found anywhere in a key's name (a search, not a match of {@code .*(...).*}, which backtracks on every key). */
    private static final Pattern SECRET_KEY = Pattern.compile(
            "(?i)password|passwd|secret|token|api_?key|apikey|access_?key|webhook_url|authorization|credential");
    private static final Pattern URL_USERINFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/@\\s]+@");

    private Secrets() {
    }

    public static boolean isSecretKey(String key) {
        return key != null && SECRET_KEY.matcher(key).find();
    }

    /** A URL's path and query, dropped by {@link #describe} (compiled once: it runs for every lost notification). */
    private static final java.util.regex.Pattern URL_PATH = java.util.regex.Pattern.compile("(?i)(https?://[^/\\s]+)/\\S*");

    /**
     * A request line's path and query ({@code POST /hook/<token>}), as an HTTP client's timeout message quotes it
     * without the scheme and host; dropped by {@link #describe} like a URL's.
     */
    private static final java.util.regex.Pattern REQUEST_PATH = java.util.regex.Pattern.compile(
            "\\b(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) /\\S*");

    /** Masks {@code user:pass@} in URLs inside free text. */
    public static String maskUrls(String text) {
        // no "://", no URL: the text as it is, without the pattern's scan (a result's message and error, per result)
        return text == null || !text.contains("://") ? text
                : URL_USERINFO.matcher(text).replaceAll("$1" + MASK + "@");
    }

    /**
     * {@code text} with every non-empty value of {@code secrets} (and URL credentials) masked: for messages that may
     * quote what a server saw, such as an access key id in an error from a storage service.
     */
    public static String redact(String text, java.util.Collection<String> secrets) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String s : secrets) {
            if (s != null && s.length() >= 4) {
                out = out.replace(s, MASK);
            }
        }
        return maskUrls(out);
    }

    /**
     * An exception's root cause as {@code Type: message}, safe to log: URL credentials masked and the paths and
     * queries of URLs and request lines dropped (webhook URLs carry their token in the path).
     */
    public static String describe(Throwable t) {
        if (t == null) {
            return "unknown error";
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage() == null ? "" : ": " + REQUEST_PATH.matcher(URL_PATH.matcher(
                maskUrls(root.getMessage())).replaceAll("$1/…")).replaceAll("$1 /…");
        return root.getClass().getSimpleName() + msg;
    }

    /** A copy of a parameter or settings tree with secret values masked (recursively). */
    public static Map<String, Object> mask(Map<String, Object> params) {
        return mask(params, k -> false);
    }

    /**
     * The same, where {@code declaredSecret} names the top-level keys a declaration marks as secrets (masked
     * whatever their name); other keys are masked when their name says they hold one.
     */
    public static Map<String, Object> mask(Map<String, Object> params, Predicate<String> declaredSecret) {
        Map<String, Object> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, (declaredSecret.test(k) || isSecretKey(k)) && v != null ? MASK
                : maskValue(v)));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Object maskValue(Object v) {
        if (v instanceof Map<?, ?> m) {
            return mask((Map<String, Object>) m);
        }
        if (v instanceof List<?> l) {
            return l.stream().map(Secrets::maskValue).toList();
        }
        if (v instanceof String s) {
            return maskUrls(s);
        }
        return v;
    }
}
