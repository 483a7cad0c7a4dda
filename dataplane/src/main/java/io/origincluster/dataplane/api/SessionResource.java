package io.origincluster.dataplane.api;

import io.origincluster.state.SessionRecord;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The proxy's name for a WHIP/WHEP session resource: {@code /rtc/v1/resource/<ice username>/<secret>}, the
 * username in base64url. The URL is a capability, as WHIP intends: only the client that got it in {@code Location}
 * can PATCH or DELETE its session. Which origin and which origin path a request goes to is read from the session's
 * record, never from the URL, so the resource path cannot be used to reach an origin's API.
 */
record SessionResource(String username, String secret) {

    static final String PREFIX = "/rtc/v1/resource/";
    /** Record attributes: the origin's own resource path and query, and the secret the proxy's URL carries. */
    static final String ORIGIN_PATH = "resourcePath";
    static final String SECRET = "resourceSecret";

    private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DEC = Base64.getUrlDecoder();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A new resource for {@code username} with 128 random bits no other client can guess. */
    static SessionResource create(String username) {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return new SessionResource(username, ENC.encodeToString(b));
    }

    /** The path and query of an origin's {@code Location} (relative or absolute); null if it has none usable. */
    static String originPath(String originLocation) {
        try {
            URI u = new URI(originLocation.trim());
            String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
            if (!path.startsWith("/")) {
                return null;
            }
            return u.getRawQuery() == null ? path : path + "?" + u.getRawQuery();
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** The path the proxy hands the client. */
    String path() {
        return PREFIX + ENC.encodeToString(username.getBytes(StandardCharsets.UTF_8)) + "/" + secret;
    }

    /** True when {@code record} was made for this resource: same secret, compared in constant time. */
    boolean names(SessionRecord record) {
        String expected = record.attributes().get(SECRET);
        return expected != null && record.id().equals(username) && MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.US_ASCII), secret.getBytes(StandardCharsets.US_ASCII));
    }

    /** Parses a request URI under {@link #PREFIX} (a query is ignored); throws IllegalArgumentException on junk. */
    static SessionResource parse(String uri) {
        if (!uri.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a session resource");
        }
        String rest = uri.substring(PREFIX.length());
        int q = rest.indexOf('?');
        rest = q < 0 ? rest : rest.substring(0, q);
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1 || rest.indexOf('/', slash + 1) >= 0 || rest.length() > 1024) {
            throw new IllegalArgumentException("session resource needs a session id and a secret");
        }
        String username = new String(DEC.decode(rest.substring(0, slash)), StandardCharsets.UTF_8);
        return new SessionResource(username, rest.substring(slash + 1));
    }
}
