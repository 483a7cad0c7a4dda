package io.origincluster.dataplane.api;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** HTTP API replies: errors as one text line, origin replies with the headers a WHIP/WHEP client relies on. */
final class Replies {

    private static final List<CharSequence> REPLY_HEADERS = List.of(HttpHeaderNames.CONTENT_TYPE,
            HttpHeaderNames.ETAG, HttpHeaderNames.CACHE_CONTROL, "Link", "Accept-Patch");

    private Replies() {
    }

    static HttpHeaders copy(HttpHeaders from, List<CharSequence> names) {
        HttpHeaders to = new DefaultHttpHeaders();
        for (CharSequence n : names) {
            String v = from.get(n);
            if (v != null) {
                to.set(n, v);
            }
        }
        return to;
    }

    static FullHttpResponse forwarded(OriginResponse r, byte[] body, String location) {
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, r.status(),
                Unpooled.wrappedBuffer(body));
        resp.headers().add(copy(r.headers(), REPLY_HEADERS));
        if (location != null) {
            resp.headers().set(HttpHeaderNames.LOCATION, location);
        }
        return resp;
    }

    static FullHttpResponse error(HttpResponseStatus status, String message) {
        return response(status, "text/plain; charset=utf-8", (message + "\n").getBytes(StandardCharsets.UTF_8));
    }

    static FullHttpResponse response(HttpResponseStatus status, String contentType, byte[] body) {
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        if (contentType != null) {
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        return resp;
    }
}
