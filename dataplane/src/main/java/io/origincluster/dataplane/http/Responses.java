package io.origincluster.dataplane.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.origincluster.dataplane.Version;
import java.nio.charset.StandardCharsets;

/** Response building shared by every path of the HTTP stream server: CORS on everything, clear text errors. */
final class Responses {

    static final String SERVER = Version.SIGNATURE + "/" + Version.VERSION;

    private Responses() {
    }

    /** Players on other origins (web pages) must be able to read streams and playlists. */
    static void cors(HttpHeaders h) {
        h.set("Access-Control-Allow-Origin", "*");
        h.set("Access-Control-Allow-Headers", "*");
        h.set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
        h.set("Access-Control-Expose-Headers", "*");
    }

    static FullHttpResponse text(HttpVersion version, HttpResponseStatus status, String body) {
        return full(version, status, Unpooled.copiedBuffer(body + "\n", StandardCharsets.UTF_8),
                "text/plain; charset=utf-8");
    }

    static FullHttpResponse json(HttpVersion version, String body) {
        return full(version, HttpResponseStatus.OK, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8),
                "application/json");
    }

    static FullHttpResponse full(HttpVersion version, HttpResponseStatus status, ByteBuf body, String contentType) {
        FullHttpResponse r = new DefaultFullHttpResponse(version, status, body);
        HttpHeaders h = r.headers();
        h.set(HttpHeaderNames.SERVER, SERVER);
        if (contentType != null) {
            h.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        cors(h);
        return r;
    }

    static void closeAfter(HttpHeaders h) {
        h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
}
