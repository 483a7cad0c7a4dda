package io.origincluster.dataplane.rtmp;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.origincluster.dataplane.netty.OriginDial;
import io.origincluster.dataplane.netty.Transports;
import io.origincluster.dataplane.routing.Route;
import io.origincluster.dataplane.rtmp.codec.ChunkDecoder;
import io.origincluster.dataplane.rtmp.codec.ChunkEncoder;
import io.origincluster.dataplane.rtmp.codec.ClientHandshakeHandler;
import io.origincluster.dataplane.rtmp.codec.ControlMessages;
import io.origincluster.dataplane.rtmp.codec.HandshakeCompleted;
import io.origincluster.dataplane.rtmp.codec.RtmpCommand;
import io.origincluster.dataplane.rtmp.codec.RtmpMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The proxy as an RTMP client of one origin: connects on the client's event loop, handshakes, replays the
 * client's connect (its whole command object), createStream and publish/play (stream name with its query), and
 * completes {@link #ready()} when the origin answers Publish.Start/Play.Start, or with a {@link #rejection()}
 * when it answers an error status. Transport failures (refused, reset, timeout, closed during setup) complete it
 * exceptionally, which is what makes the routing core fail over to another origin.
 */
final class OriginLeg extends ChannelInboundHandlerAdapter {

    private static final int MAX_PENDING = 256;
    private static final double TID_CONNECT = 1;
    private static final double TID_CREATE_STREAM = 4;
    private static final double TID_START = 5;

    private final RtmpRequest request;
    private final CompletableFuture<OriginLeg> ready = new CompletableFuture<>();
    private final List<RtmpMessage> pending = new ArrayList<>();
    private final Route route;
    private Channel channel;
    private ChunkDecoder decoder;
    private LegControl control;
    private int streamId;
    private Map<String, Object> rejection;
    private boolean started;
    private Relay relay;
    private boolean detached;

    private OriginLeg(RtmpRequest request, Route route) {
        this.request = request;
        this.route = route;
    }

    /** Starts connecting; the leg's channel runs on {@code client}'s event loop so relaying never crosses threads. */
    static OriginLeg connect(Channel client, Transports transports, Route route, RtmpRequest request,
                             Duration setupTimeout) {
        OriginLeg leg = new OriginLeg(request, route);
        ChannelFuture f = new Bootstrap().group(client.eventLoop()).channel(transports.clientChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) setupTimeout.toMillis())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, RtmpServer.WATER_MARK)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        leg.decoder = new ChunkDecoder();
                        ch.pipeline().addLast(new ClientHandshakeHandler(), leg.decoder, new ChunkEncoder(), leg);
                    }
                })
                .connect(route.address());
        leg.channel = f.channel();
        f.addListener(done -> {
            if (!done.isSuccess()) {
                Throwable cause = OriginDial.failure(f);
                Throwable failure = cause instanceof IOException io ? io
                        : new IOException("connect to origin failed: " + cause, cause);
                // a dial that never got a socket completes off the client's loop: hop back before failing
                client.eventLoop().execute(() -> leg.fail(failure));
            }
        });
        ScheduledFuture<?> timer = client.eventLoop().schedule(() -> {
            leg.fail(new IOException("origin did not answer within " + setupTimeout.toMillis() + " ms"));
        }, setupTimeout.toMillis(), TimeUnit.MILLISECONDS);
        leg.ready.whenComplete((l, e) -> timer.cancel(false));
        return leg;
    }

    CompletableFuture<OriginLeg> ready() {
        return ready;
    }

    Channel channel() {
        return channel;
    }

    Route route() {
        return route;
    }

    int streamId() {
        return streamId;
    }

    LegControl control() {
        return control;
    }

    /** The origin's error status (level, code, description) when it refused the publish/play, else null. */
    Map<String, Object> rejection() {
        return rejection;
    }

    /** Hands the leg to the relay and delivers what the origin sent right after its start status. */
    void attach(Relay r) {
        relay = r;
        for (RtmpMessage m : pending) {
            r.fromOrigin(this, m);
        }
        pending.clear();
        r.originReadComplete(this);
    }

    /** The relay no longer wants to hear from this leg (it was replaced and is being closed). */
    void detach() {
        relay = null;
        detached = true;
    }

    private void fail(Throwable cause) {
        if (ready.completeExceptionally(cause)) {
            OriginDial.closeQuietly(channel);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == HandshakeCompleted.INSTANCE) {
            decoder = ctx.pipeline().get(ChunkDecoder.class);
            control = new LegControl(ctx.channel(), decoder);
            ctx.write(ControlMessages.setChunkSize(ctx.alloc(), RtmpServer.CHUNK_SIZE));
            ctx.write(ControlMessages.windowAckSize(ctx.alloc(), RtmpServer.WINDOW_ACK_SIZE));
            ctx.writeAndFlush(RtmpCommand.of("connect", TID_CONNECT, request.connectObject())
                    .toMessage(ctx.alloc(), Replies.COMMAND_CSID, 0));
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof RtmpMessage m)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (relay != null) {
            relay.fromOrigin(this, m);
        } else if (detached) {
            m.release();
        } else if (started || ready.isDone()) {
            if (pending.size() >= MAX_PENDING) {
                m.release();
                fail(new IOException("origin sent too much before the relay started"));
                return;
            }
            pending.add(m);
        } else {
            setup(ctx, m);
        }
    }

    private void setup(ChannelHandlerContext ctx, RtmpMessage m) {
        RtmpCommand c = control.setupCommand(m);
        if (c == null) {
            return;
        }
        switch (c.name()) {
            case "_result" -> {
                if (c.transactionId() == TID_CONNECT) {
                    if (request.publish()) {
                        ctx.write(Replies.call(ctx.alloc(), "releaseStream", 2, 0, request.streamName()));
                        ctx.write(Replies.call(ctx.alloc(), "FCPublish", 3, 0, request.streamName()));
                    }
                    ctx.writeAndFlush(Replies.call(ctx.alloc(), "createStream", TID_CREATE_STREAM, 0));
                } else if (c.transactionId() == TID_CREATE_STREAM) {
                    streamId = c.args().isEmpty() || !(c.args().get(0) instanceof Double d) ? 1 : d.intValue();
                    List<Object> args = new ArrayList<>();
                    args.add(request.streamName());
                    args.addAll(request.extraArgs());
                    ctx.writeAndFlush(new RtmpCommand(request.publish() ? "publish" : "play", TID_START, null, args)
                            .toMessage(ctx.alloc(), Replies.STREAM_CSID, streamId));
                }
            }
            case "_error" -> {
                if (c.transactionId() == TID_CONNECT || c.transactionId() == TID_CREATE_STREAM) {
                    reject(c.info());
                }
            }
            case "onStatus" -> {
                Map<String, Object> info = c.info();
                Object code = info.get("code");
                if ("error".equals(info.get("level"))) {
                    reject(info);
                } else if (request.publish() ? "NetStream.Publish.Start".equals(code)
                        : "NetStream.Play.Start".equals(code)) {
                    started = true;
                    ready.complete(this);
                }
            }
            default -> {
                // onBWDone, onFCPublish, results of releaseStream/FCPublish: nothing the setup depends on
            }
        }
    }

    private void reject(Map<String, Object> info) {
        rejection = info.isEmpty() ? Replies.status("error", "NetConnection.Connect.Rejected", "origin refused")
                : info;
        ready.complete(this);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (relay != null) {
            relay.originReadComplete(this);
            return;
        }
        if (control != null) {
            control.acknowledge();
        }
        if (!ready.isDone()) {
            ctx.read();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (relay != null) {
            relay.originWritabilityChanged(this);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(new IOException("origin closed the connection during setup"));
        pending.forEach(RtmpMessage::release);
        pending.clear();
        if (relay != null) {
            relay.originClosed(this, null);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(cause);
        Relay r = relay;
        relay = null; // the close below reports once, with the cause
        if (r != null) {
            r.originClosed(this, cause);
        }
        ctx.close();
    }
}
