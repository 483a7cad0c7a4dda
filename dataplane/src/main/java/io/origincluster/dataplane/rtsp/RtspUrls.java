package io.origincluster.dataplane.rtsp;

import io.origincluster.dataplane.routing.StreamKey;
import java.net.InetSocketAddress;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The URL work of the relay: the stream key of a request URL, and moving URLs between the proxy's address (what
 * the client dialled) and the origin's, so the client never sees an origin address and the origin sees its own.
 */
final class RtspUrls {

    /** An absolute RTSP URL's scheme and authority; the path and anything after it are kept as they are. */
    private static final Pattern ABSOLUTE = Pattern.compile("(?i)\\b(rtsps?|rtspu)://([^/\\s;,\"?]*)");
    private static final Pattern URL = Pattern.compile("(?i)(rtsps?|rtspu)://([^/?#\\s]*)([^?#\\s]*)(\\?[^#\\s]*)?");

    private RtspUrls() {
    }

    /** A request URL split: authority as written (without user info), path (starting with / or empty), query. */
    record Parts(String authority, String path, String query) {
    }

    /** Null when {@code uri} is not an absolute rtsp:// URL (such as {@code *}). */
    static Parts parse(String uri) {
        Matcher m = URL.matcher(uri);
        if (!m.matches()) {
            return null;
        }
        String authority = m.group(2);
        int at = authority.lastIndexOf('@');
        authority = at >= 0 ? authority.substring(at + 1) : authority;
        String query = m.group(4) == null ? "" : m.group(4).substring(1);
        return new Parts(authority, m.group(3), query);
    }

    /**
     * The stream key, derived as RTMP derives it: {@code rtsp://host/live/cam1?vhost=v} is what
     * {@code rtmp://host/live} plus stream {@code cam1?vhost=v} gives ({@code __defaultVhost__/live/cam1} for an IP).
     */
    static StreamKey key(Parts url) {
        String path = url.path();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        int slash = path.lastIndexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("URL path '" + url.path() + "' names no app/stream");
        }
        String stream = path.substring(slash + 1) + (url.query().isEmpty() ? "" : "?" + url.query());
        return StreamKey.fromRtmp("rtmp://" + url.authority() + path.substring(0, slash), stream);
    }

    private static final Pattern TOKEN_PARAM = Pattern.compile("([?&])token=[^&/\\s]*");

    /**
     * {@code uri} without its {@code token=} query parameter: the token is the proxy's (access control), and RTSP
     * clients append track paths after the query ({@code /live/cam1?token=t/streamid=0}), which origins then fail
     * to match against their mount.
     */
    static String withoutToken(String uri) {
        if (uri.indexOf("token=") < 0) {
            return uri;
        }
        String s = TOKEN_PARAM.matcher(uri).replaceAll("$1");
        return s.replace("?&", "?").replace("&&", "&").replace("&/", "/").replace("?/", "/")
                .replaceAll("[?&]$", "");
    }

    /** The path every later request of the session must stay under: the stream's own, without trailing slash. */
    static String streamPath(Parts url) {
        String path = url.path();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path;
    }

    static boolean under(Parts url, String streamPath) {
        String p = url.path();
        return p.equals(streamPath) || p.startsWith(streamPath + "/");
    }

    /** {@code host:port} of an address, IPv6 in brackets. */
    static String authority(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** Every absolute RTSP URL in {@code text} pointed at {@code authority}, paths and parameters kept. */
    static String repoint(String text, String authority) {
        if (text == null || text.indexOf("://") < 0) {
            return text;
        }
        Matcher m = ABSOLUTE.matcher(text);
        StringBuilder sb = new StringBuilder(text.length() + 16);
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + "://" + authority));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** An SDP with every absolute {@code a=control:} URL pointed at {@code authority}; relative ones are kept. */
    static String repointSdp(String sdp, String authority) {
        StringBuilder sb = new StringBuilder(sdp.length() + 32);
        int start = 0;
        while (start < sdp.length()) {
            int nl = sdp.indexOf('\n', start);
            int end = nl < 0 ? sdp.length() : nl + 1;
            String line = sdp.substring(start, end);
            sb.append(line.regionMatches(true, 0, "a=control:", 0, 10) ? repoint(line, authority) : line);
            start = end;
        }
        return sb.toString();
    }
}
