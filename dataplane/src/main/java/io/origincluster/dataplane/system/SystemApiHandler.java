package io.origincluster.dataplane.system;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateEvent;
import io.origincluster.dataplane.netty.SessionIds;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection of the system API. Requests are answered strictly in order: while one waits for the state
 * store, later pipelined requests queue (a few at most), so replies can never be reordered on a keep-alive
 * connection. The reply is written from the channel's own event loop.
 */
final class SystemApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(SystemApiHandler.class);

    /**
     * Bounds a reply that waits on the state store, whatever the store's own timeouts are; shorter than the
     * usual 5 s of HTTP clients so they get a 503 rather than their own timeout.
     */
    static final Duration STORE_TIMEOUT = Duration.ofSeconds(4);
    private static final int MAX_QUEUED = 8;

    private final SystemApi api;
    private final String sid = SessionIds.next();
    private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
    private boolean busy;

    SystemApiHandler(SystemApi api) {
        this.api = api;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (busy) {
            if (queued.size() >= MAX_QUEUED) {
                log.atWarn().addKeyValue("sid", sid).log("too many pipelined requests, closing");
                ctx.close();
                return;
            }
            queued.add(req.retain());
            return;
        }
        handle(ctx, req);
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
        busy = true;
        if (!req.decoderResult().isSuccess()) {
            write(ctx, false, ApiResponses.error(api.mapper(), HttpResponseStatus.BAD_REQUEST,
                    "malformed HTTP request: " + req.decoderResult().cause()));
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        java.util.concurrent.CompletableFuture<FullHttpResponse> reply;
        try {
            reply = api.handle(req, sid).toCompletableFuture();
        } catch (RuntimeException e) {
            log.atError().addKeyValue("sid", sid).setCause(e).log("system API request failed");
            reply = java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        reply.orTimeout(STORE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).whenCompleteAsync((resp, err) -> {
            if (err != null) {
                Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                        ? err.getCause() : err;
                String msg = cause instanceof TimeoutException
                        ? "state store did not answer within " + STORE_TIMEOUT.toSeconds() + "s"
                        : "internal error: " + SystemApi.rootMessage(cause);
                resp = ApiResponses.error(api.mapper(), cause instanceof TimeoutException
                        ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.INTERNAL_SERVER_ERROR, msg);
            }
            write(ctx, keepAlive, resp);
        }, ctx.executor());
    }

    private void write(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse resp) {
        if (!ctx.channel().isActive()) {
            resp.release();
            return;
        }
        HttpUtil.setKeepAlive(resp, keepAlive);
        ctx.writeAndFlush(resp).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE
                : ChannelFutureListener.CLOSE);
        busy = false;
        if (!keepAlive) {
            releaseQueued();
            return;
        }
        FullHttpRequest next = queued.poll();
        if (next != null) {
            try {
                handle(ctx, next);
            } finally {
                next.release();
            }
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            log.atDebug().addKeyValue("sid", sid).log("idle connection closed");
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        releaseQueued();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.atDebug().addKeyValue("sid", sid).log("system API connection error: {}", cause.toString());
        ctx.close();
    }

    private void releaseQueued() {
        FullHttpRequest r;
        while ((r = queued.poll()) != null) {
            r.release();
        }
    }
}
