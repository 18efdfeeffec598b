package org.falcosecurity.talon.config;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * The URL a replica advertises in the Lease while it leads ({@code replicas.advertise_url}): the other replicas
 * POST the events they receive there, with the intake token. So it is held to {@code http} or {@code https}, a host,
 * an optional port and nothing else (no user info, path, query or fragment).
 */
public final class AdvertisedUrl {

    private AdvertisedUrl() {
    }

    /** What is wrong with {@code url}, or {@code null} when it may be advertised. */
    public static String problem(String url) {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            return "not a URL: '" + url + "'";
        }
        if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
            return "expected http://host:port or https://host:port, got '" + url + "'";
        }
        if (u.getHost() == null || u.getRawUserInfo() != null || u.getRawQuery() != null
                || u.getRawFragment() != null || !(u.getRawPath() == null || u.getRawPath().isEmpty()
                || "/".equals(u.getRawPath()))) {
            return "expected a scheme, a host and a port only (http://host:port), got '" + url + "'";
        }
        return null;
    }
}
