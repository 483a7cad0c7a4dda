package io.origincluster.dataplane.srt;

import io.origincluster.dataplane.routing.StreamKey;
import java.util.HashMap;
import java.util.Map;

/**
 * What a caller's stream id asks for: the stream key (same {@code vhost/app/stream} as RTMP and HTTP) and the mode.
 *
 * <p>Accepted forms: SRT's access-control syntax {@code #!::r=live/livestream,m=publish,h=example.com} (keys
 * matched exactly after splitting on commas, so {@code xr=} is not {@code r=}; unknown keys such as {@code u=},
 * {@code s=}, {@code t=} are ignored; a repeated key is an error), and the short form {@code live/livestream}
 * (mode request). In either form the resource may carry SRS's {@code ?vhost=} (or {@code ?domain=}) query, which
 * wins over {@code h=}. The vhost rule is {@link StreamKey#vhostOf}, the same as RTMP's host rule.
 */
public record SrtStreamId(StreamKey key, SrtMode mode) {

    private static final String PREFIX = "#!::";

    /** @throws SrtRejectException with {@link SrtReject#BAD_REQUEST} or {@link SrtReject#BAD_MODE} */
    public static SrtStreamId parse(String raw) throws SrtRejectException {
        if (raw == null || raw.isEmpty()) {
            throw new SrtRejectException(SrtReject.BAD_REQUEST, "no stream id");
        }
        if (raw.length() > SrtHandshake.MAX_STREAM_ID) {
            throw new SrtRejectException(SrtReject.BAD_REQUEST, "stream id longer than 512 characters");
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < ' ' || c == 0x7f || c == '\uFFFD') {
                throw new SrtRejectException(SrtReject.BAD_REQUEST, "control or invalid character in stream id");
            }
        }
        String resource;
        String host = null;
        SrtMode mode = SrtMode.REQUEST;
        if (raw.startsWith(PREFIX)) {
            Map<String, String> fields = fields(raw.substring(PREFIX.length()));
            resource = fields.get("r");
            host = fields.get("h");
            String m = fields.get("m");
            if (m != null) {
                mode = switch (m) {
                    case "publish" -> SrtMode.PUBLISH;
                    case "request" -> SrtMode.REQUEST;
                    default -> throw new SrtRejectException(SrtReject.BAD_MODE, "unsupported mode m=" + m);
                };
            }
            if (resource == null) {
                throw new SrtRejectException(SrtReject.BAD_REQUEST, "stream id has no r= resource");
            }
        } else {
            resource = raw;
        }
        String vhost = null;
        int q = resource.indexOf('?');
        if (q >= 0) {
            vhost = queryValue(resource.substring(q + 1));
            resource = resource.substring(0, q);
        }
        if (vhost == null) {
            vhost = StreamKey.vhostOf(host);
        }
        int slash = resource.lastIndexOf('/');
        if (slash <= 0 || slash == resource.length() - 1) {
            throw new SrtRejectException(SrtReject.BAD_REQUEST, "resource '" + resource + "' is not app/stream");
        }
        try {
            return new SrtStreamId(StreamKey.of(vhost, resource.substring(0, slash), resource.substring(slash + 1)),
                    mode);
        } catch (IllegalArgumentException e) {
            throw new SrtRejectException(SrtReject.BAD_REQUEST, e.getMessage());
        }
    }

    /**
     * The query on the stream id's resource ({@code token=...&vhost=v} of {@code #!::r=live/cam1?token=...}), for
     * access control; empty when none. Call after {@link #parse} accepted {@code raw}.
     */
    public static String query(String raw) {
        String resource = raw;
        if (raw.startsWith(PREFIX)) {
            resource = "";
            for (String part : raw.substring(PREFIX.length()).split(",")) {
                if (part.startsWith("r=")) {
                    resource = part.substring(2);
                    break;
                }
            }
        }
        int q = resource.indexOf('?');
        return q < 0 ? "" : resource.substring(q + 1);
    }

    private static Map<String, String> fields(String body) throws SrtRejectException {
        Map<String, String> out = new HashMap<>();
        for (String part : body.split(",", -1)) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new SrtRejectException(SrtReject.BAD_REQUEST, "stream id field '" + part + "' is not key=value");
            }
            String k = part.substring(0, eq);
            String v = part.substring(eq + 1);
            if (v.isEmpty()) {
                throw new SrtRejectException(SrtReject.BAD_REQUEST, "stream id field '" + k + "' is empty");
            }
            if (out.putIfAbsent(k, v) != null) {
                throw new SrtRejectException(SrtReject.BAD_REQUEST, "stream id repeats '" + k + "='");
            }
        }
        return out;
    }

    private static String queryValue(String query) {
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && eq + 1 < pair.length()) {
                String k = pair.substring(0, eq);
                if (k.equals("vhost") || k.equals("domain")) {
                    return pair.substring(eq + 1);
                }
            }
        }
        return null;
    }
}
