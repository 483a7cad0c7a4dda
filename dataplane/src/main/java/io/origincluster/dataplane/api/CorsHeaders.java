package io.origincluster.dataplane.api;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.origincluster.dataplane.Version;

/**
 * Adds CORS and Server headers to every response on the API port, including the ones Netty's codecs write
 * themselves (413 for an oversized body), so a browser sees the real status instead of a CORS failure.
 */
@ChannelHandler.Sharable
final class CorsHeaders extends ChannelOutboundHandlerAdapter {

    static final CorsHeaders INSTANCE = new CorsHeaders();

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse r) {
            HttpHeaders h = r.headers();
            h.set(HttpHeaderNames.SERVER, Version.SIGNATURE + "/" + Version.VERSION);
            h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
            h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, PATCH, DELETE, OPTIONS");
            h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "Content-Type, Authorization, If-Match");
            h.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, "Location, ETag, Link, Accept-Patch");
        }
        ctx.write(msg, promise);
    }
}
