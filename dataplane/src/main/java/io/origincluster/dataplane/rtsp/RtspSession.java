package io.origincluster.dataplane.rtsp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.origincluster.dataplane.auth.AccessDenied;
import io.origincluster.dataplane.auth.AccessRequest;
import io.origincluster.dataplane.auth.Action;
import io.origincluster.dataplane.auth.Admitted;
import io.origincluster.dataplane.metrics.SessionMeter;
import io.origincluster.dataplane.metrics.SessionMetrics;
import io.origincluster.dataplane.netty.SessionIds;
import io.origincluster.dataplane.routing.Route;
import io.origincluster.dataplane.routing.StreamKey;
import io.origincluster.dataplane.rtsp.codec.InterleavedFrame;
import io.origincluster.dataplane.rtsp.codec.RtspMessage;
import io.origincluster.dataplane.rtsp.codec.RtspProtocolException;
import io.origincluster.state.Protocol;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection. Until its first DESCRIBE or ANNOUNCE the proxy answers OPTIONS itself; that request's URL
 * gives the stream key, the routing core picks the origin (failover as for RTMP) and {@link OriginLeg} dials it
 * with that request. From then on requests go to the origin with their URL moved to it ({@link Addressing}),
 * answers come back with every origin URL moved to the proxy, CSeq and Session untouched; SETUPs without a TCP
 * transport get 461. RTP/RTCP frames are relayed on the channels the origin's SETUP answers named, with
 * backpressure (each side is read only while the other is writable). Accept to PLAY/RECORD has one deadline, the
 * relay an idle deadline; the session ends with either connection, and logs one line with sid, key and backend.
 */
final class RtspSession extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(RtspSession.class);
    static final String PUBLIC = "OPTIONS, DESCRIBE, ANNOUNCE, SETUP, PLAY, PAUSE, RECORD, TEARDOWN, GET_PARAMETER, "
            + "SET_PARAMETER";

    private enum Phase { INIT, CONNECTING, RELAY, ENDED }

    private final RtspServer server;
    private final String sid = SessionIds.next();
    private final List<RtspMessage> queued = new ArrayList<>();
    private final RtspDialog dialog = new RtspDialog();
    private Channel channel;
    private volatile Phase phase = Phase.INIT;
    private volatile boolean streaming;
    private String mode = "describe";
    private StreamKey key;
    private Addressing addressing;
    private volatile OriginLeg leg;
    private RtspLiveSession live;
    private ScheduledFuture<?> setupTimer;
    private ScheduledFuture<?> relayTimer;
    private long lastActivity = System.nanoTime();
    /** What access control gave this session (a publisher lease), released when it ends. */
    private Admitted admission;
    private SessionMeter meter;
    /** Why the session failed, when it did before relaying (else {@link #end} infers it). */
    private SessionMetrics.Result result;

    RtspSession(RtspServer server) {
        this.server = server;
    }

    boolean streaming() {
        return streaming;
    }

    long pendingWriteBytes() {
        OriginLeg l = leg;
        return Math.max(pending(channel), l == null ? 0 : pending(l.channel()));
    }

    private static long pending(Channel ch) {
        var buffer = ch == null ? null : ch.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        meter = server.meters().open();
        server.register(this);
        long ms = server.settings().setupTimeout().toMillis();
        setupTimer = ctx.executor().schedule(() -> end("no PLAY or RECORD within " + ms + " ms",
                new IOException("setup timeout")), ms, TimeUnit.MILLISECONDS);
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastActivity = System.nanoTime();
        if (msg instanceof InterleavedFrame f) {
            if (phase != Phase.RELAY || !dialog.clientMaySend(f.channel())) {
                f.release();
                end("bad interleaved frame", new RtspProtocolException("frame on channel " + f.channel()
                        + ", which no SETUP answer named"));
                return;
            }
            meter.fromClient(f.length());
            leg.channel().write(f);
            return;
        }
        if (!(msg instanceof RtspMessage m) || phase == Phase.ENDED) {
            ReferenceCountUtil.release(msg);
            return;
        }
        switch (phase) {
            case INIT -> beforeRoute(m);
            case CONNECTING -> {
                if (queued.size() >= 8) {
                    end("client sent too much before the origin answered", new IOException("queue full"));
                } else {
                    queued.add(m);
                }
            }
            default -> toOrigin(m);
        }
    }

    private void beforeRoute(RtspMessage m) {
        if (!m.isRequest()) {
            return;
        }
        switch (m.method()) {
            case "OPTIONS" -> channel.write(RtspMessage.reply(m, 200, "OK").add("Public", PUBLIC));
            case "DESCRIBE", "ANNOUNCE" -> route(m);
            default -> channel.write(RtspMessage.reply(m, 455, "Method Not Valid in This State"));
        }
    }

    private void route(RtspMessage first) {
        RtspUrls.Parts url = RtspUrls.parse(first.uri());
        try {
            if (url == null) {
                throw new IllegalArgumentException("not an rtsp:// URL");
            }
            key = RtspUrls.key(url);
        } catch (IllegalArgumentException e) {
            channel.write(RtspMessage.reply(first, 400, "Bad Request"));
            result = SessionMetrics.Result.CLIENT_ERROR;
            log.atInfo().addKeyValue("sid", sid).addKeyValue("uri", first.uri()).log("bad stream URL: {}",
                    e.getMessage());
            return;
        }
        mode = first.method().equals("ANNOUNCE") ? "publish" : "play";
        meter.stream(key, mode.equals("publish"));
        addressing = new Addressing(url);
        phase = Phase.CONNECTING;
        AccessRequest access = new AccessRequest(mode.equals("publish") ? Action.PUBLISH : Action.PLAY, "rtsp", key,
                url.query(), null, AccessRequest.ipOf(channel.remoteAddress()));
        server.routing().admit(access, channel.eventLoop(), (a, err) -> admitted(first, a, err));
    }

    private void admitted(RtspMessage first, Admitted a, Throwable denied) {
        if (phase == Phase.ENDED) {
            if (a != null) {
                a.release();
            }
            return;
        }
        if (denied != null) {
            AccessDenied d = AccessDenied.of(denied);
            AccessDenied.Status status = d != null ? d.status() : AccessDenied.Status.UNAVAILABLE;
            channel.writeAndFlush(RtspMessage.reply(first, status.code, status.phrase));
            result = SessionMetrics.Result.DENIED;
            end("access denied: " + (d != null ? d.getMessage() : denied), null);
            return;
        }
        admission = a;
        a.onLost(() -> channel.eventLoop().execute(() -> end("another publisher took the stream over", null)));
        String uri = first.uri();
        byte[] body = first.body();
        dialog.sent(first);
        server.meters().connect(server.routing(), key, Protocol.RTSP, route -> {
            if (phase == Phase.ENDED) {
                return CompletableFuture.<OriginLeg>completedFuture(null); // never unpin for a client that left
            }
            addressing.origin(route.address());
            first.uri(addressing.toOrigin(uri));
            first.body(addressing.sdpToOrigin(first, body));
            return OriginLeg.connect(this, channel, server.transports(), route, first, server.connectTimeout())
                    .ready();
        }).whenComplete((l, err) -> {
            if (channel.eventLoop().inEventLoop()) {
                originReady(l, err, first);
            } else {
                channel.eventLoop().execute(() -> originReady(l, err, first));
            }
        });
    }

    private void originReady(OriginLeg l, Throwable err, RtspMessage first) {
        if (phase == Phase.ENDED) {
            if (l != null) {
                l.channel().close();
            }
            return;
        }
        if (err != null) {
            Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                    ? err.getCause() : err;
            channel.writeAndFlush(RtspMessage.reply(first, 503, "Service Unavailable"));
            result = SessionMetrics.classify(cause);
            end("no origin reachable", cause);
            return;
        }
        leg = l;
        Route route = l.route();
        phase = Phase.RELAY;
        if (l.answer().status() >= 400) {
            result = SessionMetrics.Result.ORIGIN_REFUSED; // unless a later PLAY or RECORD starts after all
        }
        fromOrigin(l.answer());
        channel.flush();
        for (RtspMessage m : queued) {
            toOrigin(m);
        }
        queued.clear();
        long idle = server.settings().idleTimeout().toNanos();
        long tick = server.tick().toNanos();
        relayTimer = channel.eventLoop().scheduleAtFixedRate(() -> {
            if (System.nanoTime() - lastActivity > idle) {
                end("idle for " + server.settings().idleTimeout().toMillis() + " ms", new IOException("idle"));
            } else {
                server.routing().touch(key, route.backend().id());
            }
        }, tick, tick, TimeUnit.NANOSECONDS);
        log.atInfo().addKeyValue("sid", sid).addKeyValue("key", key).addKeyValue("backend", route.backend().id())
                .addKeyValue("address", route.address()).log("relaying {}", mode);
        l.channel().flush();
        l.channel().read();
        if (l.channel().isWritable()) {
            channel.read();
        }
    }

    /** A client message in the relay: rewritten and sent on, or answered here (461, 400). */
    private void toOrigin(RtspMessage m) {
        if (!m.isRequest()) {
            leg.channel().write(m); // the client answering a request of the origin
            return;
        }
        String uri = addressing.checkedToOrigin(m.uri());
        if (uri == null) {
            channel.write(RtspMessage.reply(m, 400, "Bad Request"));
            return;
        }
        m.uri(uri);
        if (m.method().equals("SETUP")) {
            String tcp = TransportHeader.tcpOnly(m.header("Transport"));
            if (tcp == null) {
                server.unsupportedTransport();
                channel.write(RtspMessage.reply(m, 461, "Unsupported Transport"));
                return;
            }
            m.set("Transport", tcp);
        }
        m.body(addressing.sdpToOrigin(m, m.body()));
        dialog.sent(m);
        leg.channel().write(m);
    }

    /** Everything the origin sends, on the event loop. */
    void fromOrigin(Object msg) {
        lastActivity = System.nanoTime();
        if (phase != Phase.RELAY) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof RtspMessage m) {
            if (m.isRequest()) {
                m.uri(addressing.toProxy(m.uri()));
            } else {
                answered(m);
            }
            addressing.responseToProxy(m);
        } else if (msg instanceof InterleavedFrame f) {
            meter.toClient(f.length());
        }
        channel.write(msg);
    }

    private void answered(RtspMessage response) {
        String method = dialog.answered(response);
        if (("PLAY".equals(method) || "RECORD".equals(method)) && !streaming) {
            streaming = true;
            result = null;
            mode = method.equals("PLAY") ? "play" : "publish";
            setupTimer.cancel(false);
            live = new RtspLiveSession(sid, key, leg.route().backend().id(), this::drainDeadline, channel);
            server.routing().sessions().add(live);
            log.atInfo().addKeyValue("sid", sid).addKeyValue("key", key)
                    .addKeyValue("backend", leg.route().backend().id()).log(mode.equals("play") ? "playing" : "publishing");
        }
    }

    /** The origin drains or left: the stream is unpinned from it (unless already moved) so the reconnect goes elsewhere. */
    private void drainDeadline(String reason) {
        if (phase == Phase.RELAY) {
            server.routing().originLost(key, leg.route().backend().id());
        }
        end("origin " + reason + ": the client reconnects to another one", null);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        switch (phase) {
            case RELAY -> {
                leg.channel().flush();
                ctx.flush();
                if (leg.channel().isWritable()) {
                    ctx.read();
                }
            }
            case INIT -> {
                ctx.flush();
                if (channel.isWritable()) {
                    ctx.read();
                }
            }
            default -> ctx.flush(); // connecting: reading resumes once the origin answered
        }
    }

    void originReadComplete() {
        if (phase != Phase.RELAY) {
            return;
        }
        channel.flush();
        if (channel.isWritable()) {
            leg.channel().read();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (channel.isWritable() && phase == Phase.RELAY) {
            leg.channel().read();
        } else if (channel.isWritable() && phase == Phase.INIT) {
            ctx.read();
        }
    }

    void originWritabilityChanged() {
        if (phase == Phase.RELAY && leg.channel().isWritable()) {
            channel.read();
        }
    }

    void originClosed(Throwable cause) {
        end("origin closed", cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        end("client closed", null);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        end("client error", cause);
    }

    void shutdown() {
        channel.eventLoop().execute(() -> end("proxy stopping", null));
    }

    /** Ends the session once: both channels closed, timers cancelled, queued requests dropped, one log line. */
    void end(String reason, Throwable cause) {
        if (phase == Phase.ENDED) {
            return;
        }
        Phase was = phase;
        phase = Phase.ENDED;
        streaming = false;
        if (setupTimer != null) {
            setupTimer.cancel(false);
        }
        if (relayTimer != null) {
            relayTimer.cancel(false);
        }
        queued.clear();
        dialog.clear();
        if (live != null) {
            live.ended();
            server.routing().sessions().remove(live);
        }
        if (leg != null) {
            leg.channel().close();
        }
        channel.close();
        if (admission != null) {
            admission.release();
            admission = null;
        }
        server.unregister(this);
        if (meter != null) {
            meter.end(result != null ? result : live != null ? SessionMetrics.Result.OK
                    : cause instanceof RtspProtocolException || cause instanceof io.netty.handler.codec.DecoderException
                    ? SessionMetrics.Result.CLIENT_ERROR : SessionMetrics.Result.ABANDONED);
        }
        boolean quiet = cause == null || was == Phase.INIT || cause instanceof RtspProtocolException
                || reason.startsWith("client") && cause instanceof IOException;
        (quiet ? log.atInfo() : log.atWarn()).addKeyValue("sid", sid).addKeyValue("key", key)
                .addKeyValue("backend", leg == null ? null : leg.route().backend().id()).addKeyValue("mode", mode)
                .addKeyValue("phase", was).addKeyValue("remote", channel.remoteAddress())
                .log("session ended: {}{}", reason, cause == null ? "" : " (" + cause + ")");
    }
}
