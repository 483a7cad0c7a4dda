package io.origincluster.dataplane.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.origincluster.dataplane.web.BundledFiles;
import java.util.function.IntSupplier;

/**
 * The built-in player pages at {@code /players/} (the paths SRS's documentation sends users to: {@code whip.html},
 * {@code whep.html}, and {@code srs_player.html} for HTTP-FLV, HTTP-TS and HLS). {@code /players/proxy.json} tells
 * the pages the HTTP API port, which differs from the page's own port, so WHIP/WHEP work whatever ports are set.
 */
final class PlayerPages {

    static final String PREFIX = "/players";

    private final BundledFiles files = BundledFiles.load("web/players");
    private final IntSupplier httpApiPort;

    PlayerPages(IntSupplier httpApiPort) {
        this.httpApiPort = httpApiPort;
    }

    static boolean covers(String path) {
        return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
    }

    /**
     * The reply for {@code path} (one {@link #covers} accepted): a page or a redirect to the folder; null when there
     * is no such page (the caller answers its usual 404).
     */
    FullHttpResponse serve(HttpVersion version, String path) {
        String inside = path.equals(PREFIX) ? "" : path.substring(PREFIX.length() + 1);
        if (path.equals(PREFIX)) {
            FullHttpResponse r = Responses.text(version, HttpResponseStatus.MOVED_PERMANENTLY, "see folder");
            r.headers().set(HttpHeaderNames.LOCATION, PREFIX + "/");
            return r;
        }
        if (inside.equals("proxy.json")) {
            return Responses.json(version, "{\"httpApiPort\":" + httpApiPort.getAsInt() + "}");
        }
        BundledFiles.File f = files.get(inside);
        if (f == null) {
            return null;
        }
        FullHttpResponse r = Responses.full(version, HttpResponseStatus.OK, Unpooled.wrappedBuffer(f.bytes()),
                f.contentType());
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        return r;
    }
}
