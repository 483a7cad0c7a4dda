package io.origincluster.dataplane.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches a manifest (HLS playlist or DASH MPD) whole (bounded by the aggregator's limit), rewrites its URIs so any
 * replica can route them, and answers the client with the origin's status and headers and a correct
 * Content-Length. A redirect's Location is rewritten the same way (SRS answers some playlist requests with one).
 */
final class PlaylistRelay extends OriginExchange {

    private static final Logger log = LoggerFactory.getLogger(PlaylistRelay.class);

    private final Function<OriginExchange, ManifestRewriter> rewriterFor;

    /** {@code rewriterFor} is called once the route is known: the token names the origin that answered. */
    PlaylistRelay(HttpStreamHandler owner, ChannelHandlerContext client, HttpRequest clientRequest, String sid,
                  Function<OriginExchange, ManifestRewriter> rewriterFor) {
        super(owner, client, clientRequest, sid);
        this.rewriterFor = rewriterFor;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (finished || !(msg instanceof FullHttpResponse r)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        responseStarted = true;
        try {
            ManifestRewriter rewriter = rewriterFor.apply(this);
            ByteBuf body = r.content();
            int code = r.status().code();
            if (code == 200 && rewriter.recognizes(body)) {
                String text = body.toString(StandardCharsets.UTF_8);
                String rewritten;
                try {
                    rewritten = rewriter.rewrite(text);
                } catch (IllegalArgumentException e) {
                    fail(HttpResponseStatus.BAD_GATEWAY, "origin sent a manifest the proxy cannot read: "
                            + e.getMessage());
                    return;
                }
                body = Unpooled.copiedBuffer(rewritten, StandardCharsets.UTF_8);
            } else {
                body = body.retain();
            }
            FullHttpResponse out = new DefaultFullHttpResponse(clientRequest.protocolVersion(), r.status(),
                    head ? Unpooled.EMPTY_BUFFER : body);
            HttpHeaders h = out.headers();
            copyResponseHeaders(r.headers(), h);
            h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            if (head) {
                body.release();
            }
            String location = h.get(HttpHeaderNames.LOCATION);
            if (location != null && code >= 300 && code < 400) {
                h.set(HttpHeaderNames.LOCATION, rewriter.rewriteUri(location));
            }
            if (!clientKeepAlive) {
                h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            } else if (!clientRequest.protocolVersion().isKeepAliveDefault()) {
                h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            log.atDebug().addKeyValue("sid", sid).addKeyValue("key", route.key())
                    .addKeyValue("backend", route.backend().id()).addKeyValue("status", code)
                    .log("playlist served");
            sentToClient(out.content().readableBytes());
            client.writeAndFlush(out);
            originReusable = io.netty.handler.codec.http.HttpUtil.isKeepAlive(r);
            finish(clientKeepAlive);
        } finally {
            r.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!finished) {
            origin.read();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            fail(HttpResponseStatus.BAD_GATEWAY, "origin playlist is larger than the limit "
                    + "(PROXY_HLS_MAX_PLAYLIST_BYTES)");
        } else {
            super.exceptionCaught(ctx, cause);
        }
    }
}
