package org.falcosecurity.talon.intake;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/**
 * The shared token of the intake (and of {@code /metrics} with {@code auth.protect_metrics}), checked against an
 * {@code Authorization} header in constant time. Two forms are accepted:
 * <ul>
 *   <li>{@code Bearer <token>} (Falcosidekick's {@code webhook.customHeaders}, curl, a ServiceMonitor);</li>
 *   <li>{@code Basic base64(<any user>:<token>)}: the token is the password. Falcosidekick's {@code talon} output has
 *       no header setting but sends the user-info of its address this way
 *       ({@code talon.address: http://talon:<token>@falco-talon:2803}), and so does Falco's {@code http_output}
 *       (libcurl) for {@code http_output.url}.</li>
 * </ul>
 * Both sides are hashed (SHA-256) before the comparison, so neither the content nor the length of the token shows in
 * the time an answer takes.
 */
public final class IntakeToken {

    private final byte[] expectedDigest;

    private IntakeToken(byte[] expectedDigest) {
        this.expectedDigest = expectedDigest;
    }

    /** The token senders must present; {@code null} or empty: none (an open intake). */
    public static IntakeToken of(String token) {
        return new IntakeToken(token == null || token.isEmpty() ? null : sha256(token.getBytes(StandardCharsets.UTF_8)));
    }

    /** Whether a token is required at all. */
    public boolean required() {
        return expectedDigest != null;
    }

    /** Whether the header carries the token (always true when none is required). */
    public boolean accepts(String authorization) {
        if (expectedDigest == null) {
            return true;
        }
        byte[] presented = presented(authorization);
        // compared even when nothing usable was presented, so a malformed header takes as long as a wrong token
        boolean equal = MessageDigest.isEqual(expectedDigest, sha256(presented == null ? new byte[0] : presented));
        return presented != null && equal;
    }

    /** The token a header presents, or {@code null} when it presents none in a form Talon accepts. */
    static byte[] presented(String authorization) {
        if (authorization == null) {
            return null;
        }
        int space = authorization.indexOf(' ');
        if (space <= 0 || space == authorization.length() - 1) {
            return null;
        }
        String scheme = authorization.substring(0, space).toLowerCase(Locale.ROOT);
        String credentials = authorization.substring(space + 1);
        if ("bearer".equals(scheme)) {
            return credentials.getBytes(StandardCharsets.UTF_8);
        }
        if ("basic".equals(scheme)) {
            byte[] decoded;
            try {
                decoded = Base64.getDecoder().decode(credentials);
            } catch (IllegalArgumentException e) {
                return null;
            }
            for (int i = 0; i < decoded.length; i++) {
                if (decoded[i] == ':') {
                    byte[] password = new byte[decoded.length - i - 1];
                    System.arraycopy(decoded, i + 1, password, 0, password.length);
                    return password;
                }
            }
        }
        return null;
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
