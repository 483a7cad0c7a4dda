package io.origincluster.dataplane.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The proxy's name for a WHIP/WHEP session resource: {@code /rtc/v1/resource/<origin id>/<ice username>/<origin's
 * own path and query>}, ids in base64url. Any replica can route a PATCH or DELETE on it to the origin that created
 * the session, with no lookup: the origin id is checked against registered backends, so a forged path can only
 * reach a registered origin's API, never an arbitrary address.
 */
record SessionResource(String backendId, String username, String originPath) {

    static final String PREFIX = "/rtc/v1/resource/";
    private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DEC = Base64.getUrlDecoder();

    /** The proxy path for an origin's {@code Location} (relative or absolute); null if it is not a URI. */
    static String rewrite(String backendId, String username, String originLocation) {
        String pathAndQuery;
        try {
            URI u = new URI(originLocation.trim());
            String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
            if (!path.startsWith("/")) {
                return null;
            }
            pathAndQuery = u.getRawQuery() == null ? path : path + "?" + u.getRawQuery();
        } catch (URISyntaxException e) {
            return null;
        }
        return PREFIX + enc(backendId) + "/" + enc(username) + pathAndQuery;
    }

    /** Parses a request URI under {@link #PREFIX}; throws IllegalArgumentException naming what is wrong. */
    static SessionResource parse(String uri) {
        if (!uri.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a session resource");
        }
        String rest = uri.substring(PREFIX.length());
        int a = rest.indexOf('/');
        int b = a < 0 ? -1 : rest.indexOf('/', a + 1);
        if (a <= 0 || b <= a + 1) {
            throw new IllegalArgumentException("session resource needs origin id, session id and origin path");
        }
        return new SessionResource(dec(rest.substring(0, a)), dec(rest.substring(a + 1, b)), rest.substring(b));
    }

    private static String enc(String s) {
        return ENC.encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String dec(String s) {
        if (s.length() > 1024) {
            throw new IllegalArgumentException("session resource id too long");
        }
        return new String(DEC.decode(s), StandardCharsets.UTF_8);
    }
}
