package io.origincluster.dataplane.routing;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;

/**
 * The sticky key every protocol derives for a stream: {@code vhost/app/stream}. Publishing over one protocol and
 * playing over another must give the same key, so all derivations share {@link #vhostOf} and {@link #of}.
 */
public record StreamKey(String vhost, String app, String stream) {

    public static final String DEFAULT_VHOST = "__defaultVhost__";

    public StreamKey {
        Objects.requireNonNull(vhost, "vhost");
        if (app == null || app.isEmpty() || stream == null || stream.isEmpty()) {
            throw new IllegalArgumentException("stream key needs an app and a stream name");
        }
    }

    /** Validates the parts: no empty segments, no control characters, bounded length. */
    public static StreamKey of(String vhost, String app, String stream) {
        // vhosts compare case-insensitively, but the default vhost keeps SRS's spelling in every derivation
        String v = vhost == null || vhost.isEmpty() || vhost.equalsIgnoreCase(DEFAULT_VHOST) ? DEFAULT_VHOST
                : vhost.toLowerCase(Locale.ROOT);
        String a = trimSlashes(app);
        String s = trimSlashes(stream);
        check(a, "app");
        check(s, "stream");
        if (v.length() > 253 || v.chars().anyMatch(c -> c <= ' ' || c == '/')) {
            throw new IllegalArgumentException("bad vhost '" + vhost + "'");
        }
        return new StreamKey(v, a, s);
    }

    /**
     * The vhost rule for every protocol: a host name with a dot names a vhost; an IP literal, a bare name such as
     * {@code localhost}, or no host means the default vhost. Ports are dropped; IPv6 brackets are understood.
     */
    public static String vhostOf(String host) {
        if (host == null || host.isEmpty()) {
            return DEFAULT_VHOST;
        }
        String h = host.trim();
        if (h.startsWith("[")) {
            return DEFAULT_VHOST;
        }
        int colon = h.indexOf(':');
        if (colon >= 0) {
            if (h.indexOf(':', colon + 1) >= 0) {
                return DEFAULT_VHOST; // unbracketed IPv6 literal
            }
            h = h.substring(0, colon);
        }
        if (h.isEmpty() || h.indexOf('.') < 0 || digitsAndDots(h)) {
            return DEFAULT_VHOST;
        }
        return h.toLowerCase(Locale.ROOT);
    }

    /**
     * RTMP: {@code tcUrl} such as {@code rtmp://host:1935/live?vhost=v} plus the stream name from publish/play
     * (which may carry its own {@code ?token=...}). A query in either place never becomes part of the key;
     * {@code vhost=} (or SRS's {@code domain=}) in either query overrides the host.
     */
    public static StreamKey fromRtmp(String tcUrl, String streamName) {
        if (tcUrl == null || streamName == null || streamName.isEmpty()) {
            throw new IllegalArgumentException("RTMP needs tcUrl and a stream name");
        }
        String url = tcUrl.trim();
        String tcQuery = null;
        int q = url.indexOf('?');
        if (q >= 0) {
            tcQuery = url.substring(q + 1);
            url = url.substring(0, q);
        }
        String host;
        String app;
        try {
            URI uri = new URI(url);
            host = uri.getRawAuthority();
            if (host != null) {
                int at = host.lastIndexOf('@');
                host = at >= 0 ? host.substring(at + 1) : host;
            }
            app = uri.getPath();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("bad tcUrl '" + tcUrl + "'");
        }
        String name = streamName;
        String nameQuery = null;
        q = name.indexOf('?');
        if (q >= 0) {
            nameQuery = name.substring(q + 1);
            name = name.substring(0, q);
        }
        String vhost = queryParam(nameQuery, "vhost", "domain");
        if (vhost == null) {
            vhost = queryParam(tcQuery, "vhost", "domain");
        }
        return of(vhost != null ? vhost.toLowerCase(Locale.ROOT) : vhostOf(host), app, name);
    }

    /**
     * HTTP (FLV, TS, HLS, WHIP/WHEP): app and stream from {@code ?app=&stream=} when present, else from the path
     * without its extension ({@code /live/livestream.flv}). The vhost follows the same rule as RTMP, with
     * {@code ?vhost=} honoured.
     */
    public static StreamKey fromHttp(String hostHeader, String path, java.util.Map<String, java.util.List<String>> query) {
        String vhost = first(query, "vhost");
        if (vhost == null) {
            vhost = first(query, "domain");
        }
        String app = first(query, "app");
        String stream = first(query, "stream");
        if (app == null || stream == null) {
            String p = path == null ? "" : path;
            int slash = p.lastIndexOf('/');
            if (slash <= 0) {
                throw new IllegalArgumentException("path '" + path + "' names no app/stream");
            }
            String last = p.substring(slash + 1);
            int dot = last.lastIndexOf('.');
            if (dot > 0) {
                last = last.substring(0, dot);
            }
            if (stream == null) {
                stream = last;
            }
            if (app == null) {
                app = p.substring(0, slash);
            }
        }
        return of(vhost != null ? vhost : vhostOf(hostHeader), app, stream);
    }

    private static String first(java.util.Map<String, java.util.List<String>> query, String name) {
        if (query == null) {
            return null;
        }
        java.util.List<String> l = query.get(name);
        return l == null || l.isEmpty() || l.get(0).isEmpty() ? null : l.get(0);
    }

    /** An IPv4 literal names no vhost; a loop, not a regex compiled per request. */
    private static boolean digitsAndDots(String h) {
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    private static String queryParam(String query, String... names) {
        if (query == null || query.isEmpty()) {
            return null;
        }
        for (String pair : query.split("[&?]")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String k = pair.substring(0, eq);
            for (String n : names) {
                if (k.equalsIgnoreCase(n) && eq + 1 < pair.length()) {
                    return pair.substring(eq + 1);
                }
            }
        }
        return null;
    }

    private static String trimSlashes(String s) {
        if (s == null) {
            return "";
        }
        int b = 0;
        int e = s.length();
        while (b < e && s.charAt(b) == '/') {
            b++;
        }
        while (e > b && s.charAt(e - 1) == '/') {
            e--;
        }
        return s.substring(b, e);
    }

    private static void check(String part, String what) {
        if (part.isEmpty()) {
            throw new IllegalArgumentException("empty " + what);
        }
        if (part.length() > 512) {
            throw new IllegalArgumentException(what + " longer than 512 characters");
        }
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c < ' ' || c == 0x7f || c == '?' || c == '#' || c == '\\') {
                throw new IllegalArgumentException("bad character in " + what + " '" + part + "'");
            }
        }
        if (part.contains("//") || part.equals("..") || part.startsWith("../") || part.contains("/../")
                || part.endsWith("/..")) {
            throw new IllegalArgumentException("bad path in " + what + " '" + part + "'");
        }
    }

    @Override
    public String toString() {
        return vhost + "/" + app + "/" + stream;
    }
}
