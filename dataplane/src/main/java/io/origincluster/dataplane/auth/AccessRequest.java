package io.origincluster.dataplane.auth;

import io.origincluster.dataplane.routing.StreamKey;
import java.net.SocketAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * One new client session asking for a stream, as every protocol describes it to {@link Admission}: the action,
 * the protocol's name ({@code rtmp}, {@code http}, {@code webrtc}, {@code srt}, {@code rtsp}), the stream key, the
 * raw query the client put on its stream URL ({@code param}, without {@code ?}), a bearer token when the protocol
 * has a header for one (WHIP/WHEP), and the client's IP.
 */
public record AccessRequest(Action action, String protocol, StreamKey key, String param, String bearer, String ip) {

    public static final String TOKEN_PARAM = "token";

    public AccessRequest {
        param = param == null ? "" : param;
    }

    /** The client's IP from a channel's remote address (empty when unknown). */
    public static String ipOf(SocketAddress remote) {
        if (remote instanceof InetSocketAddress a) {
            return a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        }
        return "";
    }

    /** Query strings joined with {@code &}, empty parts dropped (RTMP has one on the stream name and one on tcUrl). */
    public static String joinQueries(String... queries) {
        StringBuilder sb = new StringBuilder();
        for (String q : queries) {
            if (q != null && !q.isEmpty()) {
                if (sb.length() > 0) {
                    sb.append('&');
                }
                sb.append(q);
            }
        }
        return sb.toString();
    }

    /** The query part of {@code s} after its first {@code ?}, or empty. */
    public static String queryOf(String s) {
        if (s == null) {
            return "";
        }
        int q = s.indexOf('?');
        return q < 0 ? "" : s.substring(q + 1);
    }

    /** The token the client offers: the bearer token, else the first {@code token=} of the query; null if none. */
    public String token() {
        if (bearer != null && !bearer.isEmpty()) {
            return bearer;
        }
        for (String pair : param.split("[&?]")) {
            if (pair.startsWith(TOKEN_PARAM + "=") && pair.length() > TOKEN_PARAM.length() + 1) {
                String raw = pair.substring(TOKEN_PARAM.length() + 1);
                try {
                    return URLDecoder.decode(raw, StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return raw; // a malformed escape: verified as written, and refused there
                }
            }
        }
        return null;
    }
}
