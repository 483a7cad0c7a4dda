package io.origincluster.dataplane.rtsp;

import io.origincluster.dataplane.rtsp.codec.RtspMessage;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One session's two addresses: the proxy's as the client wrote it in its first URL, and the origin's. Requests go
 * to the origin with their URL (and an ANNOUNCE's absolute SDP controls) moved to it; what the origin answers has
 * Content-Base, Content-Location, RTP-Info URLs and absolute SDP {@code a=control} URLs moved back to the proxy.
 */
final class Addressing {

    private static final String[] URL_HEADERS = {"Content-Base", "Content-Location", "RTP-Info"};

    private final String proxyAuthority;
    private final String streamPath;
    private String originAuthority;

    Addressing(RtspUrls.Parts firstUrl) {
        this.proxyAuthority = firstUrl.authority();
        this.streamPath = RtspUrls.streamPath(firstUrl);
    }

    void origin(InetSocketAddress address) {
        originAuthority = RtspUrls.authority(address);
    }

    String toOrigin(String uri) {
        return uri.equals("*") ? uri : RtspUrls.repoint(RtspUrls.withoutToken(uri), originAuthority);
    }

    /** The URL for the origin, or null when it is not an rtsp:// URL under the session's stream. */
    String checkedToOrigin(String uri) {
        if (uri.equals("*")) {
            return uri;
        }
        RtspUrls.Parts p = RtspUrls.parse(uri);
        return p == null || !RtspUrls.under(p, streamPath) ? null
                : RtspUrls.repoint(RtspUrls.withoutToken(uri), originAuthority);
    }

    String toProxy(String uri) {
        return uri.equals("*") ? uri : RtspUrls.repoint(uri, proxyAuthority);
    }

    byte[] sdpToOrigin(RtspMessage m, byte[] body) {
        return isSdp(m, body) ? sdp(body, originAuthority) : body;
    }

    void responseToProxy(RtspMessage m) {
        for (String h : URL_HEADERS) {
            String v = m.header(h);
            if (v != null) {
                m.set(h, RtspUrls.repoint(v, proxyAuthority));
            }
        }
        if (isSdp(m, m.body())) {
            m.body(sdp(m.body(), proxyAuthority));
        }
    }

    private static boolean isSdp(RtspMessage m, byte[] body) {
        String type = m.header("Content-Type");
        return body.length > 0 && type != null && type.toLowerCase(Locale.ROOT).startsWith("application/sdp");
    }

    /** ISO-8859-1 both ways keeps every byte that is not part of a rewritten URL exactly as it was. */
    private static byte[] sdp(byte[] body, String authority) {
        return RtspUrls.repointSdp(new String(body, StandardCharsets.ISO_8859_1), authority)
                .getBytes(StandardCharsets.ISO_8859_1);
    }
}
