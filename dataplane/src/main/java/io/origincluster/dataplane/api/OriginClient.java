package io.origincluster.dataplane.api;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.origincluster.dataplane.netty.OriginDial;
import io.origincluster.dataplane.netty.Transports;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A one-request HTTP/1.1 client towards an origin's API, running on the caller's event loop so the proxied
 * request never blocks or crosses threads. Connect and read are bounded by {@code timeout}; the connection is
 * closed after the reply. A failure to connect or a missing reply completes exceptionally (the routing core then
 * tries another origin); any HTTP status is a normal reply.
 */
final class OriginClient {

    static final int MAX_RESPONSE = 256 * 1024;

    private final Transports transports;
    private final Duration timeout;

    OriginClient(Transports transports, Duration timeout) {
        this.transports = transports;
        this.timeout = timeout;
    }

    CompletableFuture<OriginResponse> send(EventLoop loop, InetSocketAddress origin, HttpMethod method, String uri,
                                           HttpHeaders headers, byte[] body) {
        CompletableFuture<OriginResponse> result = new CompletableFuture<>();
        ChannelFuture connect = new Bootstrap().group(loop).channel(transports.clientChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ReadTimeoutHandler(timeout.toMillis(), TimeUnit.MILLISECONDS),
                                new HttpClientCodec(), new HttpObjectAggregator(MAX_RESPONSE),
                                new ReplyHandler(result));
                    }
                }).connect(origin);
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(OriginDial.failure(connect));
                return;
            }
            FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri,
                    Unpooled.wrappedBuffer(body));
            req.headers().add(headers);
            req.headers().set(HttpHeaderNames.HOST, origin.getHostString() + ":" + origin.getPort());
            req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            req.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
            connect.channel().writeAndFlush(req).addListener(w -> {
                if (!w.isSuccess()) {
                    result.completeExceptionally(w.cause());
                    connect.channel().close();
                }
            });
        });
        result.whenComplete((r, e) -> connect.channel().close());
        return result;
    }

    private static final class ReplyHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final CompletableFuture<OriginResponse> result;

        ReplyHandler(CompletableFuture<OriginResponse> result) {
            this.result = result;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse msg) {
            if (msg.decoderResult().isFailure()) {
                result.completeExceptionally(new IllegalStateException("bad reply from origin: "
                        + msg.decoderResult().cause()));
                return;
            }
            result.complete(new OriginResponse(msg.status(), msg.headers().copy(),
                    ByteBufUtil.getBytes(msg.content())));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.completeExceptionally(new IllegalStateException("origin closed the connection without a reply"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.completeExceptionally(cause);
            ctx.close();
        }
    }
}
