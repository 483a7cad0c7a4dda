package io.origincluster.dataplane.rtsp;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.origincluster.dataplane.netty.OriginDial;
import io.origincluster.dataplane.routing.Route;
import io.origincluster.dataplane.rtsp.codec.RtspDecoder;
import io.origincluster.dataplane.rtsp.codec.RtspEncoder;
import io.origincluster.dataplane.rtsp.codec.RtspMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The proxy as an RTSP client of one origin, on the client's event loop: dials, sends the session's first request
 * (DESCRIBE or ANNOUNCE) and completes {@link #ready()} with the origin's answer, whatever its status. A refused or
 * reset dial, a close or silence before the answer fails it: that is what makes the routing core try another
 * origin. After that every message and frame goes to the session.
 */
final class OriginLeg extends ChannelInboundHandlerAdapter {

    private final RtspSession session;
    private final Route route;
    private final RtspMessage first;
    private final CompletableFuture<OriginLeg> ready = new CompletableFuture<>();
    private Channel channel;
    private RtspMessage answer;

    private OriginLeg(RtspSession session, Route route, RtspMessage first) {
        this.session = session;
        this.route = route;
        this.first = first;
    }

    static OriginLeg connect(RtspSession session, Channel client, io.origincluster.dataplane.netty.Transports transports,
                             Route route, RtspMessage first, Duration timeout) {
        OriginLeg leg = new OriginLeg(session, route, first);
        ChannelFuture f = new Bootstrap().group(client.eventLoop()).channel(transports.clientChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, RtspServer.WATER_MARK)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new RtspDecoder(), RtspEncoder.INSTANCE, leg);
                    }
                })
                .connect(route.address());
        leg.channel = f.channel();
        f.addListener(done -> {
            if (!done.isSuccess()) {
                Throwable cause = OriginDial.failure(f);
                client.eventLoop().execute(() -> leg.fail(cause instanceof IOException ? cause
                        : new IOException("connect to origin failed: " + cause, cause)));
            }
        });
        ScheduledFuture<?> timer = client.eventLoop().schedule(() -> leg.fail(new IOException(
                "origin did not answer within " + timeout.toMillis() + " ms")), timeout.toMillis(), TimeUnit.MILLISECONDS);
        leg.ready.whenComplete((l, e) -> timer.cancel(false));
        return leg;
    }

    CompletableFuture<OriginLeg> ready() {
        return ready;
    }

    /** The origin's answer to the first request. */
    RtspMessage answer() {
        return answer;
    }

    Channel channel() {
        return channel;
    }

    Route route() {
        return route;
    }

    private void fail(Throwable cause) {
        if (ready.completeExceptionally(cause)) {
            OriginDial.closeQuietly(channel);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(first);
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (ready.isDone()) {
            if (ready.isCompletedExceptionally()) {
                ReferenceCountUtil.release(msg);
            } else {
                session.fromOrigin(msg);
            }
            return;
        }
        if (msg instanceof RtspMessage m && !m.isRequest()) {
            answer = m;
            ready.complete(this);
            return;
        }
        ReferenceCountUtil.release(msg);
        fail(new IOException("origin sent " + msg.getClass().getSimpleName() + " before answering"));
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!ready.isDone()) {
            ctx.read();
        } else if (!ready.isCompletedExceptionally()) {
            session.originReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ready.isDone() && !ready.isCompletedExceptionally()) {
            session.originWritabilityChanged();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!ready.isDone()) {
            fail(new IOException("origin closed the connection before answering"));
        } else if (!ready.isCompletedExceptionally()) {
            session.originClosed(null);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!ready.isDone()) {
            fail(cause);
        } else if (!ready.isCompletedExceptionally()) {
            session.originClosed(cause);
        }
        ctx.close();
    }
}
