package io.origincluster.dataplane.srt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.origincluster.dataplane.auth.AccessDenied;
import io.origincluster.dataplane.auth.AccessRequest;
import io.origincluster.dataplane.auth.Action;
import io.origincluster.dataplane.auth.Admitted;
import io.origincluster.dataplane.netty.SessionIds;
import io.origincluster.dataplane.metrics.SessionMeter;
import io.origincluster.dataplane.metrics.SessionMetrics;
import io.origincluster.dataplane.routing.NoRouteException;
import io.origincluster.dataplane.routing.Route;
import io.origincluster.state.Protocol;
import io.origincluster.state.SessionKind;
import io.origincluster.state.SessionRecord;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One caller relayed to one origin. The proxy presents its own socket id to the caller and the caller's socket id
 * to the origin, so only the caller-to-origin direction needs a rewrite (destination id to the origin's socket);
 * the origin already addresses the caller's real socket id.
 *
 * <p>The origin half of the handshake is an {@link OriginHandshake} per origin tried. A failed or silent origin
 * makes {@link io.origincluster.dataplane.routing.RoutingCore#connect} unpin it and try another; an origin's own
 * rejection is a real answer and goes back to the caller unchanged. Confined to the relay's event loop.
 */
final class SrtSession {

    private static final Logger log = LoggerFactory.getLogger(SrtSession.class);

    private enum State { CONNECTING, ESTABLISHED, CLOSED }

    private final SrtRelay relay;
    private final SrtStreamId streamId;
    private final String param;
    private final int proxySocketId;
    private final SrtRelay.CallerKey caller;
    private final SrtHandshake callerHandshake;
    private final byte[] callerConclusion;
    private final String sid = SessionIds.next();
    private final long createdNanos = System.nanoTime();

    private State state = State.CONNECTING;
    private boolean pending = true;
    private OriginHandshake handshake;
    private Channel origin;
    private Route route;
    private int originSocketId;
    private byte[] callerAnswer;
    private long lastFromCaller;
    private long lastFromOrigin;
    private long lastRecordTouch;
    private long toOrigin;
    private long toCaller;
    private SessionMeter meter;
    /** What access control gave this session (a publisher lease), released when it closes. */
    private Admitted admission;
    private SessionMetrics.Result failure;
    private long dropped;
    private boolean dirty;

    SrtSession(SrtRelay relay, SrtStreamId streamId, String param, int proxySocketId, SrtRelay.CallerKey caller,
               SrtHandshake callerHandshake, byte[] callerConclusion) {
        this.relay = relay;
        this.streamId = streamId;
        this.param = param;
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
        log.atInfo().addKeyValue("sid", sid).addKeyValue("key", streamId.key())
                .addKeyValue("mode", streamId.mode().wireName()).addKeyValue("client", caller.address())
                .addKeyValue("clientSocket", caller.socketId()).log("SRT conclusion accepted, connecting to origin");
        EventLoop loop = relay.loop();
        meter = relay.meters.open();
        AccessRequest access = new AccessRequest(streamId.mode() == SrtMode.PUBLISH ? Action.PUBLISH : Action.PLAY,
                "srt", streamId.key(), param, null, AccessRequest.ipOf(caller.address()));
        relay.routing.admit(access, loop, this::admitted);
    }

    private void admitted(Admitted a, Throwable err) {
        if (state != State.CONNECTING) {
            if (a != null) {
                a.release();
            }
            return;
        }
        if (err != null) {
            AccessDenied d = AccessDenied.of(err);
            int reason = d == null ? SrtReject.UNAVAILABLE : switch (d.status()) {
                case UNAUTHORIZED -> SrtReject.UNAUTHORIZED;
                case FORBIDDEN -> SrtReject.FORBIDDEN;
                case CONFLICT -> SrtReject.CONFLICT;
                case UNAVAILABLE -> SrtReject.UNAVAILABLE;
            };
            failure = SessionMetrics.Result.DENIED;
            relay.reject(callerHandshake, caller.address(), proxySocketId, reason,
                    "access denied: " + (d != null ? d.getMessage() : err));
            close("access denied", false, false);
            return;
        }
        admission = a;
        meter.stream(streamId.key(), streamId.mode() == SrtMode.PUBLISH);
        a.onLost(() -> relay.loop().execute(() -> close("another publisher took the stream over", true, true)));
        EventLoop loop = relay.loop();
        relay.meters.connect(relay.routing, streamId.key(), Protocol.SRT, this::tryOrigin).whenComplete((h, err2) -> {
            if (loop.inEventLoop()) {
                onConnectDone(h, err2); // same loop turn: no origin datagram can slip in before the relay handler
                return;
            }
            try {
                loop.execute(() -> onConnectDone(h, err2));
            } catch (RejectedExecutionException e) {
                if (h != null) {
                    h.closeChannel();
                }
            }
        });
    }

    /** One origin tried by RoutingCore; a failed future makes it unpin that origin and try the next. */
    private CompletionStage<OriginHandshake> tryOrigin(Route r) {
        OriginHandshake h = new OriginHandshake(relay, r, new OriginHandshake.Caller(caller.address(),
                caller.socketId(), callerHandshake.cookie(), callerHandshake, callerConclusion, proxySocketId));
        EventLoop loop = relay.loop();
        if (loop.inEventLoop()) {
            startHandshake(h);
        } else {
            loop.execute(() -> startHandshake(h));
        }
        return h.result();
    }

    private void startHandshake(OriginHandshake h) {
        if (state != State.CONNECTING) {
            h.abandon();
            return;
        }
        handshake = h;
        h.start();
    }

    private void onConnectDone(OriginHandshake h, Throwable err) {
        if (state != State.CONNECTING) {
            if (h != null) {
                h.closeChannel();
            }
            return;
        }
        leavePending();
        handshake = null;
        if (err != null) {
            Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                    ? err.getCause() : err;
            int reason = cause instanceof NoRouteException nr && !nr.retryable() ? SrtReject.NOT_FOUND
                    : SrtReject.UNAVAILABLE;
            failure = SessionMetrics.classify(cause);
            relay.reject(callerHandshake, caller.address(), proxySocketId, reason,
                    "no origin could take " + streamId.key() + ": " + cause.getMessage());
            close("origin unavailable", false, false);
            return;
        }
        if (h.outcome() == OriginHandshake.Outcome.REJECTED) {
            relay.sendToClient(Unpooled.wrappedBuffer(h.callerAnswer()), caller.address(), true);
            failure = SessionMetrics.Result.ORIGIN_REFUSED;
            close("origin rejected the caller (reason " + h.rejectReason() + ")", false, false);
            return;
        }
        if (h.outcome() != OriginHandshake.Outcome.CONNECTED) {
            close("handshake abandoned", false, false);
            return;
        }
        state = State.ESTABLISHED;
        origin = h.channel();
        origin.pipeline().replace(h, "srt-origin-relay", new OriginRelay());
        route = h.route();
        meter.onOrigin(route.backend().id());
        originSocketId = h.originSocketId();
        callerAnswer = h.callerAnswer();
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
        } else if (state == State.CONNECTING && handshake != null) {
            handshake.resend();
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
            meter.fromClient(buf.readableBytes());
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
        int size = buf.readableBytes();
        if (relay.sendToClient(buf.retain(), caller.address(), false)) {
            meter.toClient(size);
            toCaller++;
        } else {
            dropped++;
        }
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
        if (handshake != null) {
            handshake.abandon();
            handshake = null;
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
        if (admission != null) {
            admission.release();
            admission = null;
        }
        if (meter != null) {
            meter.end(failure != null ? failure : was == State.ESTABLISHED ? SessionMetrics.Result.OK
                    : SessionMetrics.Result.ABANDONED);
        }
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

    /** The origin channel's handler once the session is established. */
    private final class OriginRelay extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                ByteBuf buf = msg instanceof DatagramPacket p ? p.content() : msg instanceof ByteBuf b ? b : null;
                if (buf != null && state == State.ESTABLISHED) {
                    fromOrigin(buf);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            relay.flushToClients();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            close("origin unreachable: " + cause, true, false);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            close("origin socket closed", true, false);
        }
    }
}
