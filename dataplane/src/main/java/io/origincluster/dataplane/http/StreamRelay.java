package io.origincluster.dataplane.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams the origin's answer to the client as it comes: live FLV/TS and HLS segments. The origin is read only
 * while the client is writable, so a slow player holds at most one read's worth of bytes in the proxy.
 */
final class StreamRelay extends OriginExchange {

    private static final Logger log = LoggerFactory.getLogger(StreamRelay.class);

    private final boolean logSession;
    private boolean paused;
    private boolean originKeepAlive;
    private long bytes;
    private final long startedNanos = System.nanoTime();

    /** @param logSession true for live streams (one line at start and end); false for short segment requests */
    StreamRelay(HttpStreamHandler owner, ChannelHandlerContext client, HttpRequest clientRequest, String sid,
                boolean logSession) {
        super(owner, client, clientRequest, sid);
        this.logSession = logSession;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (finished) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse r) {
            responseStarted = true;
            originKeepAlive = HttpUtil.isKeepAlive(r);
            client.write(clientResponse(r));
            if (logSession) {
                log.atInfo().addKeyValue("sid", sid).addKeyValue("key", route.key())
                        .addKeyValue("backend", route.backend().id()).addKeyValue("status", r.status().code())
                        .addKeyValue("contentType", r.headers().get(HttpHeaderNames.CONTENT_TYPE))
                        .log("http stream started");
            }
        }
        if (msg instanceof HttpContent c) {
            bytes += c.content().readableBytes();
            sentToClient(c.content().readableBytes());
            client.write(c);
            if (msg instanceof LastHttpContent) {
                originReusable = originKeepAlive;
                client.flush();
                logEnd("origin ended the response");
                finish(keepClient);
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (finished) {
            return;
        }
        client.flush();
        if (client.channel().isWritable()) {
            origin.read();
        } else {
            paused = true;
        }
    }

    @Override
    void clientWritable() {
        if (paused && !finished) {
            paused = false;
            origin.read();
        }
    }

    @Override
    void abort() {
        logEnd("client closed");
        super.abort();
    }

    private void logEnd(String why) {
        if (logSession && !finished) {
            log.atInfo().addKeyValue("sid", sid).addKeyValue("key", route == null ? null : route.key())
                    .addKeyValue("bytes", bytes)
                    .addKeyValue("ms", (System.nanoTime() - startedNanos) / 1_000_000)
                    .log("http stream ended: {}", why);
        }
    }
}
