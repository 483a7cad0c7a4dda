package io.origincluster.dataplane.srt;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.origincluster.dataplane.netty.OriginDial;
import io.origincluster.dataplane.routing.Route;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The proxy's half of one caller's handshake with one origin, on a fresh UDP socket connected to the origin (so an
 * ICMP port-unreachable fails it at once). It replays the caller's part: an induction with the caller's socket id,
 * then the caller's own conclusion (extensions, key material and stream id untouched) with the origin's cookie.
 * Driven only by datagrams and a deadline, never a blocking read.
 *
 * <p>The result completes normally for an answer (accepted or rejected by the origin, or abandoned because the
 * caller went away) and exceptionally only when the origin failed to answer, which is what makes the routing
 * core unpin it and try another. On acceptance the channel stays open for the session's relay.
 */
final class OriginHandshake extends ChannelInboundHandlerAdapter {

    enum Outcome { CONNECTED, REJECTED, ABANDONED }

    /** The caller as the origin must see it, and what the caller must get back. */
    record Caller(InetSocketAddress address, int socketId, int cookie, SrtHandshake conclusion,
                  byte[] conclusionBytes, int proxySocketId) {
    }

    private final SrtRelay relay;
    private final Route route;
    private final Caller caller;
    private final CompletableFuture<OriginHandshake> result = new CompletableFuture<>();
    private Channel channel;
    private ScheduledFuture<?> deadline;
    private byte[] request;
    private boolean concluding;
    private Outcome outcome;
    private int originSocketId;
    private int rejectReason;
    private byte[] callerAnswer;

    OriginHandshake(SrtRelay relay, Route route, Caller caller) {
        this.relay = relay;
        this.route = route;
        this.caller = caller;
    }

    CompletableFuture<OriginHandshake> result() {
        return result;
    }

    Route route() {
        return route;
    }

    Channel channel() {
        return channel;
    }

    Outcome outcome() {
        return outcome;
    }

    int originSocketId() {
        return originSocketId;
    }

    int rejectReason() {
        return rejectReason;
    }

    /** The origin's final answer rewritten for the caller: the proxy's socket id, the caller's cookie. */
    byte[] callerAnswer() {
        return callerAnswer;
    }

    /** Opens the origin socket and sends the induction; on the relay's event loop. */
    void start() {
        if (route.address().isUnresolved()) {
            // Resolving here would block the loop; RoutingCore hands over resolved addresses.
            fail(new UnknownHostException("origin address " + route.address() + " is unresolved"));
            return;
        }
        EventLoop loop = relay.loop();
        deadline = loop.schedule(() -> fail(new TimeoutException("origin " + route.address()
                + " did not finish the SRT handshake within " + relay.settings.handshakeTimeout().toMillis()
                + " ms")), relay.settings.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        ChannelFuture cf = new Bootstrap().group(loop).channel(relay.transports.datagramChannel())
                .option(ChannelOption.SO_RCVBUF, 1 << 20)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 << 10, 1 << 20))
                .handler(this).connect(route.address());
        channel = cf.channel();
        if (channel.isOpen()) { // no socket at all (EMFILE) means nothing to count or close
            relay.originChannels(+1);
            channel.closeFuture().addListener(f -> relay.originChannels(-1));
        }
        cf.addListener(f -> {
            if (!f.isSuccess()) {
                Throwable cause = OriginDial.failure(cf);
                if (loop.inEventLoop()) {
                    fail(cause);
                } else {
                    loop.execute(() -> fail(cause));
                }
                return;
            }
            SrtHandshake c = caller.conclusion();
            ByteBuf induction = Unpooled.buffer(SrtHandshake.SIZE);
            SrtHandshake.write(induction, 0, 0, 4, 0, SrtHandshake.UDT_DGRAM, c.initialSeq(), c.mtu(),
                    c.flowWindow(), SrtHandshake.TYPE_INDUCTION, caller.socketId(), 0, route.address().getAddress());
            request = ByteBufUtil.getBytes(induction);
            resend();
        });
    }

    /** Sends the current request again (the caller retransmitted); never starts a new handshake. */
    void resend() {
        if (request != null && outcome == null && channel.isActive()) {
            channel.writeAndFlush(Unpooled.wrappedBuffer(request), channel.voidPromise());
        }
    }

    /** The caller is gone: finish without blaming the origin, and release the socket. */
    void abandon() {
        finish(Outcome.ABANDONED, null);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            ByteBuf buf = msg instanceof DatagramPacket p ? p.content() : msg instanceof ByteBuf b ? b : null;
            if (buf != null && outcome == null) {
                onHandshake(buf);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(cause);
    }

    private void onHandshake(ByteBuf buf) {
        SrtHandshake hs;
        try {
            hs = SrtHandshake.parse(buf);
        } catch (MalformedSrtPacketException e) {
            return;
        }
        if (hs.isRejection()) {
            rejectReason = SrtReject.reasonOf(hs.type());
            finish(Outcome.REJECTED, answerForCaller(buf));
        } else if (hs.isInduction() && !concluding) {
            if (hs.version() < 5 || hs.extensionField() != SrtHandshake.SRT_MAGIC) {
                fail(new IllegalStateException("origin " + route.address() + " does not speak HSv5"));
                return;
            }
            concluding = true;
            ByteBuf conclusion = Unpooled.wrappedBuffer(caller.conclusionBytes().clone());
            SrtPacket.setDestSocketId(conclusion, 0);
            SrtHandshake.setCookie(conclusion, hs.cookie());
            SrtHandshake.setPeerIp(conclusion, route.address().getAddress());
            request = conclusion.array();
            resend();
        } else if (hs.isConclusion() && concluding) {
            originSocketId = hs.socketId();
            finish(Outcome.CONNECTED, answerForCaller(buf));
        }
    }

    private byte[] answerForCaller(ByteBuf buf) {
        ByteBuf copy = Unpooled.wrappedBuffer(ByteBufUtil.getBytes(buf));
        SrtHandshake.setSocketId(copy, caller.proxySocketId());
        SrtHandshake.setCookie(copy, caller.cookie());
        SrtHandshake.setPeerIp(copy, caller.address().getAddress());
        return copy.array();
    }

    private void fail(Throwable cause) {
        if (outcome != null) {
            return;
        }
        outcome = Outcome.ABANDONED;
        cancelDeadline();
        closeChannel();
        result.completeExceptionally(cause);
    }

    private void finish(Outcome o, byte[] answer) {
        if (outcome != null) {
            return;
        }
        outcome = o;
        callerAnswer = answer;
        cancelDeadline();
        if (o != Outcome.CONNECTED) {
            closeChannel();
        }
        result.complete(this);
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
        }
    }

    void closeChannel() {
        OriginDial.closeQuietly(channel);
    }
}
