package io.origincluster.dataplane.rtmp;

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
import io.origincluster.dataplane.routing.StreamKey;
import io.origincluster.dataplane.rtmp.codec.ChunkDecoder;
import io.origincluster.dataplane.rtmp.codec.ControlMessages;
import io.origincluster.dataplane.rtmp.codec.HandshakeCompleted;
import io.origincluster.dataplane.rtmp.codec.RtmpCommand;
import io.origincluster.dataplane.rtmp.codec.RtmpMessage;
import io.origincluster.dataplane.rtmp.codec.RtmpProtocolException;
import io.origincluster.state.Protocol;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: the proxy acts as an RTMP server until the client publishes or plays, then routes the
 * stream key, opens the origin leg ({@link OriginLeg}, failover by the routing core) and hands both channels to a
 * {@link Relay}. The handshake and command phase share one deadline; the relay has an idle deadline. However the
 * session ends, both channels close and one line is logged with sid, stream key and origin.
 */
final class ClientSession extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);
    private static final int MAX_CLIENT_STREAMS = 8;
    private static final int MAX_QUEUED = 64;

    private enum Phase { COMMANDS, CONNECTING, RELAY, ENDED }

    private final RtmpServer server;
    private final String sid = SessionIds.next();
    private final List<RtmpMessage> queued = new ArrayList<>();
    private Channel channel;
    private LegControl control;
    private int createdStreams;
    private int clientStreamId = 1;
    private volatile Phase phase = Phase.COMMANDS;
    private Map<String, Object> connectObject;
    private RtmpRequest request;
    private volatile OriginLeg leg;
    private Relay relay;
    private OriginSwitcher switcher;
    private ScheduledFuture<?> setupTimer;
    private ScheduledFuture<?> relayTimer;
    private SessionMeter meter;
    /** What access control gave this session (a publisher lease), released when it ends. */
    private Admitted admitted;
    /** Set where the session fails for a known reason; otherwise {@link #end} derives it from the phase. */
    private SessionMetrics.Result result;

    ClientSession(RtmpServer server) {
        this.server = server;
    }

    String sid() {
        return sid;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        meter = server.meters().open();
        server.register(this);
        long ms = server.settings().handshakeTimeout().toMillis();
        setupTimer = ctx.executor().schedule(
                () -> end("handshake/command phase timed out after " + ms + " ms", new IOException("timeout")),
                ms, TimeUnit.MILLISECONDS);
        ctx.read();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == HandshakeCompleted.INSTANCE) {
            control = new LegControl(channel, ctx.pipeline().get(ChunkDecoder.class));
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof RtmpMessage m)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        switch (phase) {
            case RELAY -> relay.fromClient(m);
            case CONNECTING -> {
                if (queued.size() >= MAX_QUEUED) {
                    m.release();
                    end("client sent too much before the origin was ready", new IOException("queue full"));
                } else {
                    queued.add(m);
                }
            }
            case COMMANDS -> command(ctx, m);
            default -> m.release();
        }
    }

    private void command(ChannelHandlerContext ctx, RtmpMessage m) {
        int streamId = m.streamId();
        RtmpCommand c = control.setupCommand(m);
        if (c == null) {
            return;
        }
        double tid = c.transactionId();
        switch (c.name()) {
            case "connect" -> connect(ctx, c);
            case "createStream" -> {
                // each call gets a new id, as real servers do; the relay maps it to whatever the origin chose
                if (++createdStreams > MAX_CLIENT_STREAMS) {
                    throw new RtmpProtocolException("more than " + MAX_CLIENT_STREAMS + " createStream calls");
                }
                ctx.writeAndFlush(Replies.result(ctx.alloc(), tid, (double) createdStreams, 0));
            }
            case "publish", "play" -> {
                clientStreamId = streamId != 0 ? streamId : Math.max(1, createdStreams);
                start(ctx, c);
            }
            case "getStreamLength", "deleteStream", "closeStream", "FCUnpublish", "receiveAudio", "receiveVideo" -> {
                // nothing to answer before a stream exists; ffmpeg and OBS do not wait for these
            }
            default -> {
                if (tid != 0) {
                    ctx.writeAndFlush(Replies.result(ctx.alloc(), tid, Replies.undefined(), 0));
                }
            }
        }
    }

    private void connect(ChannelHandlerContext ctx, RtmpCommand c) {
        if (connectObject != null) {
            throw new RtmpProtocolException("second connect");
        }
        Object tcUrl = c.properties().get("tcUrl");
        if (!(tcUrl instanceof String s) || s.isBlank()) {
            ctx.writeAndFlush(Replies.connectRejected(ctx.alloc(), c.transactionId(), "connect needs a tcUrl"));
            end("connect without tcUrl", new RtmpProtocolException("connect without tcUrl"));
            return;
        }
        connectObject = new LinkedHashMap<>(c.properties());
        ctx.write(ControlMessages.windowAckSize(ctx.alloc(), RtmpServer.WINDOW_ACK_SIZE));
        ctx.write(ControlMessages.setPeerBandwidth(ctx.alloc(), RtmpServer.WINDOW_ACK_SIZE, 2));
        ctx.write(ControlMessages.setChunkSize(ctx.alloc(), RtmpServer.CHUNK_SIZE));
        ctx.writeAndFlush(Replies.connectResult(ctx.alloc(), c.transactionId(),
                connectObject.get("objectEncoding")));
    }

    private void start(ChannelHandlerContext ctx, RtmpCommand c) {
        boolean publish = c.name().equals("publish");
        String name = c.stringArg(0);
        if (connectObject == null) {
            throw new RtmpProtocolException(c.name() + " before connect");
        }
        StreamKey key;
        try {
            key = StreamKey.fromRtmp((String) connectObject.get("tcUrl"), name);
        } catch (IllegalArgumentException e) {
            refuse(publish ? "NetStream.Publish.BadName" : "NetStream.Play.StreamNotFound", e.getMessage());
            return;
        }
        List<Object> extra = new ArrayList<>(c.args().subList(Math.min(1, c.args().size()), c.args().size()));
        if (publish && extra.isEmpty()) {
            extra.add("live");
        }
        request = new RtmpRequest(connectObject, (String) connectObject.get("tcUrl"), publish, name, extra, key);
        phase = Phase.CONNECTING;
        // the token may be on the stream name (rtmp://h/live/cam1?token=...) or on tcUrl (rtmp://h/live?token=...)
        AccessRequest access = new AccessRequest(publish ? Action.PUBLISH : Action.PLAY, "rtmp", key,
                AccessRequest.joinQueries(AccessRequest.queryOf(name), AccessRequest.queryOf(request.tcUrl())), null,
                AccessRequest.ipOf(channel.remoteAddress()));
        server.routing().admit(access, channel.eventLoop(), this::admitted);
    }

    private void admitted(Admitted a, Throwable denied) {
        if (phase == Phase.ENDED) {
            if (a != null) {
                a.release();
            }
            return;
        }
        if (denied != null) {
            AccessDenied d = AccessDenied.of(denied);
            result = SessionMetrics.Result.DENIED;
            String description = d != null ? d.getMessage() : String.valueOf(denied);
            channel.writeAndFlush(Replies.onStatus(channel.alloc(), clientStreamId, "error",
                    request.publish() ? "NetStream.Publish.BadName" : "NetStream.Play.Failed",
                    "access denied: " + description));
            end("access denied: " + description, null);
            return;
        }
        admitted = a;
        meter.stream(request.key(), request.publish());
        a.onLost(() -> channel.eventLoop().execute(() -> end("another publisher took the stream over", null)));
        if (!request.publish()) {
            channel.write(ControlMessages.userControl(channel.alloc(), ControlMessages.STREAM_BEGIN, clientStreamId));
            channel.writeAndFlush(Replies.onStatus(channel.alloc(), clientStreamId, "status", "NetStream.Play.Reset",
                    "Playing and resetting " + request.streamName() + "."));
        }
        StreamKey key = request.key();
        server.meters().connect(server.routing(), key, Protocol.RTMP, route -> {
            if (phase == Phase.ENDED) {
                // the client left: finish without opening a leg, and without failing (which would unpin)
                return java.util.concurrent.CompletableFuture.<OriginLeg>completedFuture(null);
            }
            return OriginLeg.connect(channel, server.transports(), route, request, server.connectTimeout())
                    .ready();
        }).whenComplete((l, err) -> {
            if (channel.eventLoop().inEventLoop()) {
                originReady(l, err);
            } else {
                channel.eventLoop().execute(() -> originReady(l, err));
            }
        });
    }

    private void originReady(OriginLeg l, Throwable err) {
        if (phase == Phase.ENDED) {
            // a leg still setting up when the client left was not closed then: closing it would count as an
            // origin failure and unpin a healthy origin
            if (l != null) {
                l.channel().close();
            }
            return;
        }
        if (err != null) {
            Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                    ? err.getCause() : err;
            channel.writeAndFlush(Replies.onStatus(channel.alloc(), clientStreamId, "error",
                    request.publish() ? "NetStream.Publish.Failed" : "NetStream.Play.Failed",
                    "no origin could take the stream"));
            result = SessionMetrics.classify(cause);
            end("no origin reachable", cause);
            return;
        }
        leg = l;
        if (l.rejection() != null) {
            Map<String, Object> r = l.rejection();
            channel.writeAndFlush(Replies.onStatus(channel.alloc(), clientStreamId, "error",
                    String.valueOf(r.get("code")), String.valueOf(r.getOrDefault("description", ""))));
            result = SessionMetrics.Result.ORIGIN_REFUSED;
            end("origin refused: " + r.get("code"), null);
            return;
        }
        setupTimer.cancel(false);
        String code = request.publish() ? "NetStream.Publish.Start" : "NetStream.Play.Start";
        channel.write(Replies.onStatus(channel.alloc(), clientStreamId, "status", code,
                "Started " + (request.publish() ? "publishing " : "playing ") + request.streamName() + "."));
        switcher = new OriginSwitcher(this, server, channel, request, l.route().backend().id());
        relay = new Relay(switcher, channel, control, l, clientStreamId, request.publish(),
                server.hitless().publishBufferBytes(), meter);
        switcher.bind(relay);
        phase = Phase.RELAY;
        server.routing().sessions().add(switcher);
        for (RtmpMessage m : queued) {
            relay.fromClient(m);
        }
        queued.clear();
        l.attach(relay);
        relay.start();
        long idle = server.settings().idleTimeout().toNanos();
        long tick = server.tick().toNanos();
        long hold = switcher.holdNanos();
        if (hold > 0 && !request.publish()) {
            tick = Math.min(tick, Math.max(100_000_000L, hold / 2));
        }
        relayTimer = channel.eventLoop().scheduleAtFixedRate(() -> {
            if (hold > 0 && !request.publish() && relay.mediaSilentNanos() > hold) {
                switcher.holdExpired("no media from a playing leg");
                return;
            }
            if (switcher.recovering()) {
                return; // the hold bounds a session without a working leg
            }
            if (System.nanoTime() - relay.lastActivityNanos() > idle) {
                end("idle for " + server.settings().idleTimeout().toMillis() + " ms", new IOException("idle"));
            } else {
                server.routing().touch(request.key(), switcher.backendId());
            }
        }, tick, tick, TimeUnit.NANOSECONDS);
        log.atInfo().addKeyValue("sid", sid).addKeyValue("key", request.key())
                .addKeyValue("backend", l.route().backend().id()).addKeyValue("address", l.route().address())
                .log(request.publish() ? "publishing" : "playing");
    }

    private void refuse(String code, String description) {
        result = SessionMetrics.Result.CLIENT_ERROR;
        channel.writeAndFlush(Replies.onStatus(channel.alloc(), clientStreamId, "error", code, description));
        end(code + ": " + description, null);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        switch (phase) {
            case RELAY -> relay.clientReadComplete();
            case COMMANDS -> {
                if (control != null) {
                    control.acknowledge();
                }
                // a client that sends calls but never reads our replies must not grow our buffers
                if (channel.isWritable()) {
                    ctx.read();
                }
            }
            default -> {
                // connecting: the client waits for our status before sending media; reading resumes in the relay
            }
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (relay != null) {
            relay.clientWritabilityChanged();
        } else if (phase == Phase.COMMANDS && channel.isWritable()) {
            ctx.read();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        end("client closed", null);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        end("client error", cause);
    }

    boolean relaying() {
        return phase == Phase.RELAY;
    }

    long pendingWriteBytes() {
        long own = pending(channel);
        Relay r = relay;
        OriginLeg l = r != null ? r.active() : leg;
        return Math.max(own, l == null ? 0 : pending(l.channel()));
    }

    int clientStreamId() {
        return clientStreamId;
    }

    private static long pending(Channel ch) {
        var buffer = ch == null ? null : ch.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    /** Ends the session from any thread, e.g. when the proxy stops. */
    void shutdown() {
        channel.eventLoop().execute(() -> end("proxy stopping", null));
    }

    /** Ends the session once: closes both channels, cancels timers, logs one line, frees queued messages. */
    void end(String reason, Throwable cause) {
        if (phase == Phase.ENDED) {
            return;
        }
        Phase was = phase;
        phase = Phase.ENDED;
        if (setupTimer != null) {
            setupTimer.cancel(false);
        }
        if (relayTimer != null) {
            relayTimer.cancel(false);
        }
        queued.forEach(RtmpMessage::release);
        queued.clear();
        if (switcher != null) {
            switcher.end();
            server.routing().sessions().remove(switcher);
        }
        if (relay != null) {
            for (OriginLeg l : new OriginLeg[] {relay.active(), relay.incoming()}) {
                if (l != null) {
                    l.detach();
                    l.channel().close();
                }
            }
            relay.release();
        } else if (leg != null) {
            leg.channel().close();
        }
        channel.close();
        if (admitted != null) {
            admitted.release();
            admitted = null;
        }
        server.unregister(this);
        if (meter != null) {
            meter.end(result != null ? result : was == Phase.RELAY ? SessionMetrics.Result.OK
                    : cause instanceof RtmpProtocolException || cause instanceof io.netty.handler.codec.DecoderException
                    ? SessionMetrics.Result.CLIENT_ERROR : SessionMetrics.Result.ABANDONED);
        }
        // bad or silent clients before routing are their own problem (info, so scanners cannot flood warnings);
        // origin trouble and relay failures are the operator's (warn)
        boolean normal = cause == null || was == Phase.COMMANDS
                || was == Phase.RELAY && reason.startsWith("client") && cause instanceof IOException;
        var line = normal ? log.atInfo() : log.atWarn();
        line.addKeyValue("sid", sid).addKeyValue("key", request == null ? null : request.key())
                .addKeyValue("backend", switcher != null ? switcher.backendId()
                        : leg == null ? null : leg.route().backend().id())
                .addKeyValue("phase", was).addKeyValue("remote", channel.remoteAddress())
                .log("session ended: {}{}", reason, cause == null ? "" : " (" + cause + ")");
    }
}
