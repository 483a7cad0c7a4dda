package io.origincluster.dataplane.srt;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
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
import io.origincluster.dataplane.netty.SessionIds;
import io.origincluster.dataplane.routing.NoRouteException;
import io.origincluster.dataplane.routing.Route;
import io.origincluster.state.Protocol;
import io.origincluster.state.SessionKind;
import io.origincluster.state.SessionRecord;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One caller relayed to one origin. The proxy presents its own socket id to the caller and the caller's socket id
 * to the origin, so only the caller-to-origin direction needs a rewrite (destination id to the origin's socket);
 * the origin already addresses the caller's real socket id.
 *
 * <p>The origin half of the handshake runs on a dedicated UDP channel on the relay's event loop, driven by
 * datagrams and a deadline, never by a blocking read. A failed or silent origin makes {@link
 * io.origincluster.dataplane.routing.RoutingCore#connect} unpin it and try another; an origin's own rejection is a
 * real answer and goes back to the caller unchanged. Confined to the relay's event loop.
 */
final class SrtSession {

    private static final Logger log = LoggerFactory.getLogger(SrtSession.class);

    private enum State { CONNECTING, ESTABLISHED, CLOSED }

    private final SrtRelay relay;
    private final SrtStreamId streamId;
    private final int proxySocketId;
    private final SrtRelay.CallerKey caller;
    private final SrtHandshake callerHandshake;
    private final byte[] callerConclusion;
    private final String sid = SessionIds.next();
    private final long createdNanos = System.nanoTime();

    private State state = State.CONNECTING;
    private boolean pending = true;
    private Attempt attempt;
    private Channel origin;
    private Route route;
    private int originSocketId;
    private byte[] callerAnswer;
    private long lastFromCaller;
    private long lastFromOrigin;
    private long lastRecordTouch;
    private long toOrigin;
    private long toCaller;
    private long dropped;
    private boolean dirty;

    SrtSession(SrtRelay relay, SrtStreamId streamId, int proxySocketId, SrtRelay.CallerKey caller,
               SrtHandshake callerHandshake, byte[] callerConclusion) {
        this.relay = relay;
        this.streamId = streamId;
        this.proxySocketId = proxySocketId;
        this.caller = caller;
        this.callerHandshake = callerHandshake;
        this.callerConclusion = callerConclusion;
    }

    int proxySocketId() {
        return proxySocketId;
    }

    SrtRelay.CallerKey callerKey() {
        return caller;
    }

    InetSocketAddress clientAddress() {
        return caller.address();
    }

    void connect() {
        log.atInfo().addKeyValue("sid", sid).addKeyValue("key", streamId.key()).addKeyValue("mode", streamId.mode().wireName())
                .addKeyValue("client", caller.address()).addKeyValue("clientSocket", caller.socketId())
                .log("SRT conclusion accepted, connecting to origin");
        relay.routing.connect(streamId.key(), Protocol.SRT, this::attempt).whenComplete((a, err) -> {
            try {
                relay.loop().execute(() -> onConnectDone(a, err));
            } catch (RejectedExecutionException e) {
                if (a != null) {
                    a.closeChannel();
                }
            }
        });
    }

    /** One origin tried by RoutingCore; completes when it answers, fails on timeout or an unreachable port. */
    private CompletionStage<Attempt> attempt(Route r) {
        CompletableFuture<Attempt> done = new CompletableFuture<>();
        EventLoop loop = relay.loop();
        if (loop.inEventLoop()) {
            startAttempt(r, done);
        } else {
            loop.execute(() -> startAttempt(r, done));
        }
        return done;
    }

    private void startAttempt(Route r, CompletableFuture<Attempt> done) {
        Attempt a = new Attempt(r, done);
        if (state != State.CONNECTING) {
            a.finish(Outcome.ABANDONED, null);
            return;
        }
        attempt = a;
        a.start();
    }

    private void onConnectDone(Attempt a, Throwable err) {
        if (state != State.CONNECTING) {
            if (a != null) {
                a.closeChannel();
            }
            return;
        }
        leavePending();
        attempt = null;
        if (err != null) {
            Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                    ? err.getCause() : err;
            int reason = cause instanceof NoRouteException nr && !nr.retryable() ? SrtReject.NOT_FOUND
                    : SrtReject.UNAVAILABLE;
            relay.reject(callerHandshake, caller.address(), proxySocketId, reason,
                    "no origin could take " + streamId.key() + ": " + cause.getMessage());
            close("origin unavailable", false, false);
            return;
        }
        if (a.outcome == Outcome.REJECTED) {
            relay.sendToClient(Unpooled.wrappedBuffer(a.answer), caller.address(), true);
            close("origin rejected the caller (reason " + a.rejectReason + ")", false, false);
            return;
        }
        if (a.outcome != Outcome.CONNECTED) {
            close("handshake abandoned", false, false);
            return;
        }
        state = State.ESTABLISHED;
        origin = a.channel;
        route = a.route;
        originSocketId = a.originSocketId;
        callerAnswer = a.answer;
        long now = System.nanoTime();
        lastFromCaller = now;
        lastFromOrigin = now;
        lastRecordTouch = now;
        relay.sendToClient(Unpooled.wrappedBuffer(callerAnswer), caller.address(), true);
        relay.routing.touch(streamId.key(), route.backend().id());
        relay.routing.store().putSession(record(), recordTtl()).exceptionally(e -> null);
        log.atInfo().addKeyValue("sid", sid).addKeyValue("key", streamId.key())
                .addKeyValue("mode", streamId.mode().wireName()).addKeyValue("backend", route.backend().id())
                .addKeyValue("origin", route.address()).addKeyValue("proxySocket", proxySocketId)
                .addKeyValue("originSocket", originSocketId)
                .addKeyValue("handshakeMs", (now - createdNanos) / 1_000_000).log("SRT session established");
    }

    /** The caller resent its conclusion: re-answer from cache, or nudge the origin; never start another attempt. */
    void onRetransmittedConclusion() {
        if (state == State.ESTABLISHED) {
            relay.sendToClient(Unpooled.wrappedBuffer(callerAnswer), caller.address(), true);
        } else if (state == State.CONNECTING && attempt != null) {
            attempt.resend();
        }
    }

    /** A packet from the caller; true when the origin channel needs a flush at the end of the read batch. */
    boolean fromClient(ByteBuf buf) {
        if (state != State.ESTABLISHED) {
            dropped++;
            return false;
        }
        lastFromCaller = System.nanoTime();
        SrtPacket.setDestSocketId(buf, originSocketId);
        boolean shutdown = SrtPacket.isShutdown(buf);
        if (origin.isWritable()) {
            origin.write(buf.retain(), origin.voidPromise());
            toOrigin++;
        } else {
            dropped++;
        }
        if (shutdown) {
            origin.flush();
            close("caller shut down", false, false);
            return false;
        }
        if (!dirty) {
            dirty = true;
            return true;
        }
        return false;
    }

    void flushToOrigin() {
        dirty = false;
        if (state == State.ESTABLISHED) {
            origin.flush();
        }
    }

    private void fromOrigin(ByteBuf buf) {
        lastFromOrigin = System.nanoTime();
        if (!SrtPacket.hasHeader(buf) || SrtPacket.isHandshake(buf)) {
            dropped++; // a late duplicate answer from the origin's handshake
            return;
        }
        boolean shutdown = SrtPacket.isShutdown(buf);
        relay.sendToClient(buf.retain(), caller.address(), false);
        toCaller++;
        if (shutdown) {
            relay.flushToClients();
            close("origin shut down", false, false);
        }
    }

    /** Periodic: idle close, pin and session-record keep-alive, and a bound on handshakes that never finish. */
    void tick(long now) {
        if (state == State.CONNECTING) {
            long bound = relay.settings.handshakeTimeout().toNanos() * 12 + TimeUnit.SECONDS.toNanos(5);
            if (now - createdNanos > bound) {
                close("handshake never finished", false, false);
            }
            return;
        }
        if (state != State.ESTABLISHED) {
            return;
        }
        long idle = relay.settings.idleTimeout().toNanos();
        if (now - lastFromCaller > idle || now - lastFromOrigin > idle) {
            close(now - lastFromCaller > idle ? "caller idle" : "origin idle", true, true);
            return;
        }
        relay.routing.touch(streamId.key(), route.backend().id());
        if (now - lastRecordTouch > idle / 2) {
            lastRecordTouch = now;
            relay.routing.store().touchSession(SessionKind.SRT, recordId(), recordTtl()).exceptionally(e -> false);
        }
    }

    /** Ends the session and releases its map entries and origin socket; SHUTDOWN tells peers that cannot know. */
    void close(String reason, boolean notifyCaller, boolean notifyOrigin) {
        if (state == State.CLOSED) {
            return;
        }
        State was = state;
        state = State.CLOSED;
        leavePending();
        if (attempt != null) {
            attempt.finish(Outcome.ABANDONED, null);
            attempt = null;
        }
        if (was == State.ESTABLISHED) {
            if (notifyCaller) {
                relay.sendToClient(SrtPacket.shutdown(relay.channel().alloc(), relay.timestamp(), caller.socketId()),
                        caller.address(), true);
            }
            if (notifyOrigin && origin.isActive()) {
                origin.writeAndFlush(SrtPacket.shutdown(origin.alloc(), relay.timestamp(), originSocketId),
                        origin.voidPromise());
            }
            origin.close();
            relay.routing.store().removeSession(SessionKind.SRT, recordId()).exceptionally(e -> false);
        }
        relay.release(this);
        log.atInfo().addKeyValue("sid", sid).addKeyValue("key", streamId.key()).addKeyValue("reason", reason)
                .addKeyValue("toOrigin", toOrigin).addKeyValue("toCaller", toCaller).addKeyValue("dropped", dropped)
                .addKeyValue("durationMs", (System.nanoTime() - createdNanos) / 1_000_000).log("SRT session closed");
    }

    private void leavePending() {
        if (pending) {
            pending = false;
            relay.handshakeFinished();
        }
    }

    private String recordId() {
        return caller.address().getAddress().getHostAddress() + ":" + caller.address().getPort() + "/"
                + Integer.toUnsignedString(caller.socketId());
    }

    private Duration recordTtl() {
        return relay.settings.idleTimeout().multipliedBy(2);
    }

    private SessionRecord record() {
        return new SessionRecord(SessionKind.SRT, recordId(), streamId.key().toString(), route.backend().id(),
                Map.of("sid", sid, "mode", streamId.mode().wireName(), "proxySocket",
                        Integer.toUnsignedString(proxySocketId), "origin", String.valueOf(route.address())));
    }

    private enum Outcome { CONNECTED, REJECTED, ABANDONED }

    /** The origin half of the handshake against one origin, and afterwards the origin channel's handler. */
    private final class Attempt extends ChannelInboundHandlerAdapter {
        final Route route;
        final CompletableFuture<Attempt> done;
        Channel channel;
        ScheduledFuture<?> deadline;
        byte[] request;
        boolean concluding;
        Outcome outcome;
        int originSocketId;
        int rejectReason;
        byte[] answer;

        Attempt(Route route, CompletableFuture<Attempt> done) {
            this.route = route;
            this.done = done;
        }

        void start() {
            EventLoop loop = relay.loop();
            deadline = loop.schedule(() -> fail(new TimeoutException("origin " + route.address()
                    + " did not finish the SRT handshake within " + relay.settings.handshakeTimeout().toMillis()
                    + " ms")), relay.settings.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
            ChannelFuture cf = new Bootstrap().group(loop).channel(relay.transports.datagramChannel())
                    .option(ChannelOption.SO_RCVBUF, 1 << 20)
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 << 10, 1 << 20))
                    .handler(this).connect(route.address());
            channel = cf.channel();
            cf.addListener(f -> {
                if (!f.isSuccess()) {
                    fail(f.cause());
                    return;
                }
                ByteBuf induction = Unpooled.buffer(SrtHandshake.SIZE);
                SrtHandshake.write(induction, 0, 0, 4, 0, SrtHandshake.UDT_DGRAM, callerHandshake.initialSeq(),
                        callerHandshake.mtu(), callerHandshake.flowWindow(), SrtHandshake.TYPE_INDUCTION,
                        caller.socketId(), 0, route.address().getAddress());
                request = induction.array();
                resend();
            });
        }

        void resend() {
            if (request != null && outcome == null && channel.isActive()) {
                channel.writeAndFlush(Unpooled.wrappedBuffer(request), channel.voidPromise());
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = msg instanceof DatagramPacket p ? p.content() : msg instanceof ByteBuf b ? b : null;
            try {
                if (buf == null) {
                    return;
                }
                if (outcome == Outcome.CONNECTED && state == State.ESTABLISHED) {
                    fromOrigin(buf);
                } else if (outcome == null) {
                    onHandshake(buf);
                }
            } catch (RuntimeException e) {
                dropped++;
                log.atDebug().addKeyValue("sid", sid).log("origin datagram dropped: {}", e.toString());
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (outcome == Outcome.CONNECTED) {
                relay.flushToClients();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (outcome == null) {
                fail(cause);
            } else if (outcome == Outcome.CONNECTED && state == State.ESTABLISHED) {
                close("origin unreachable: " + cause, true, false);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (outcome == Outcome.CONNECTED && state == State.ESTABLISHED) {
                close("origin channel closed", true, false);
            }
        }

        private void onHandshake(ByteBuf buf) {
            SrtHandshake hs;
            try {
                hs = SrtHandshake.parse(buf);
            } catch (MalformedSrtPacketException e) {
                dropped++;
                return;
            }
            if (hs.isRejection()) {
                rejectReason = SrtReject.reasonOf(hs.type());
                finish(Outcome.REJECTED, callerAnswerFrom(buf));
            } else if (hs.isInduction() && !concluding) {
                if (hs.version() < 5 || hs.extensionField() != SrtHandshake.SRT_MAGIC) {
                    fail(new IllegalStateException("origin " + route.address() + " does not speak HSv5"));
                    return;
                }
                concluding = true;
                ByteBuf conclusion = Unpooled.wrappedBuffer(callerConclusion.clone());
                SrtPacket.setDestSocketId(conclusion, 0);
                SrtHandshake.setCookie(conclusion, hs.cookie());
                SrtHandshake.setPeerIp(conclusion, route.address().getAddress());
                request = conclusion.array();
                resend();
            } else if (hs.isConclusion() && concluding) {
                originSocketId = hs.socketId();
                finish(Outcome.CONNECTED, callerAnswerFrom(buf));
            }
        }

        /** The origin's answer as the caller must see it: the proxy's socket id, the caller's own cookie. */
        private byte[] callerAnswerFrom(ByteBuf buf) {
            ByteBuf copy = Unpooled.buffer(buf.readableBytes());
            copy.writeBytes(buf, buf.readerIndex(), buf.readableBytes());
            SrtHandshake.setSocketId(copy, proxySocketId);
            SrtHandshake.setCookie(copy, callerHandshake.cookie());
            SrtHandshake.setPeerIp(copy, caller.address().getAddress());
            return copy.array();
        }

        void fail(Throwable cause) {
            if (outcome != null) {
                return;
            }
            outcome = Outcome.ABANDONED;
            cancelDeadline();
            closeChannel();
            if (attempt == this) {
                attempt = null;
            }
            done.completeExceptionally(cause);
        }

        void finish(Outcome result, byte[] callerAnswerBytes) {
            if (outcome != null) {
                return;
            }
            outcome = result;
            answer = callerAnswerBytes;
            cancelDeadline();
            if (result != Outcome.CONNECTED) {
                closeChannel();
            }
            done.complete(this);
        }

        private void cancelDeadline() {
            if (deadline != null) {
                deadline.cancel(false);
            }
        }

        void closeChannel() {
            if (channel != null) {
                channel.close();
            }
        }
    }
}
