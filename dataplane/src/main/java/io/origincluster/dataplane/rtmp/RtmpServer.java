package io.origincluster.dataplane.rtmp;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.origincluster.dataplane.ProtocolServer;
import io.origincluster.dataplane.config.HitlessSettings;
import io.origincluster.dataplane.config.RoutingSettings;
import io.origincluster.dataplane.config.RtmpSettings;
import io.origincluster.dataplane.netty.Transports;
import io.origincluster.dataplane.metrics.ProtocolMeters;
import io.origincluster.dataplane.routing.RoutingCore;
import io.origincluster.dataplane.rtmp.codec.ChunkDecoder;
import io.origincluster.dataplane.rtmp.codec.ChunkEncoder;
import io.origincluster.dataplane.rtmp.codec.Handshake;
import io.origincluster.dataplane.rtmp.codec.ServerHandshakeHandler;
import io.origincluster.dataplane.tls.TlsTwin;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** The RTMP listener ({@code PROXY_RTMP_SERVER}): one {@link ClientSession} per connection. */
public final class RtmpServer implements ProtocolServer {

    /** The chunk size the proxy announces on both legs; large chunks mean fewer headers per video frame. */
    static final int CHUNK_SIZE = 60000;
    static final int WINDOW_ACK_SIZE = 2_500_000;
    /** Per-channel outbound buffering before the other side stops being read. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    private final RtmpSettings settings;
    private final RoutingCore routing;
    private final Transports transports;
    private final RoutingSettings routingSettings;
    private final HitlessSettings hitless;
    private final ProtocolMeters meters;
    private final LongAdder digestHandshakes = new LongAdder();
    private final Set<ClientSession> sessions = ConcurrentHashMap.newKeySet();
    private Channel channel;
    private TlsTwin tls = TlsTwin.none();

    public RtmpServer(RtmpSettings settings, RoutingSettings routingSettings, HitlessSettings hitless,
                      RoutingCore routing, Transports transports, ProtocolMeters meters) {
        this.meters = meters;
        this.hitless = hitless;
        this.settings = settings;
        this.routingSettings = routingSettings;
        this.routing = routing;
        this.transports = transports;
    }

    @Override
    public String name() {
        return "rtmp";
    }

    @Override
    public void start() throws Exception {
        ServerBootstrap bootstrap = new ServerBootstrap().group(transports.workers())
                .channel(transports.serverChannel())
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK);
        ChannelInitializer<Channel> pipeline = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new ServerHandshakeHandler(RtmpServer.this::handshakeSeen),
                        new ChunkDecoder(), new ChunkEncoder(),
                        new ClientSession(RtmpServer.this));
            }
        };
        channel = bootstrap.clone().childHandler(pipeline).bind(settings.listen()).sync().channel();
        tls.bind(bootstrap, pipeline);
    }

    /** Adds a TLS listener serving the same pipeline (before {@link #start()}); {@link TlsTwin#none()} for none. */
    public RtmpServer withTls(TlsTwin twin) {
        this.tls = twin;
        return this;
    }

    @Override
    public InetSocketAddress tlsAddress() {
        return tls.localAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void stop(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        if (channel != null) {
            channel.close().awaitUninterruptibly(grace.toMillis());
        }
        tls.close(grace);
        ProtocolServer.awaitEmpty(sessions, deadline); // the rest are closed
        sessions.forEach(ClientSession::shutdown);
    }

    /** Sessions open right now (connected clients, in any phase), for tests that prove nothing is left behind. */
    public int activeSessions() {
        return sessions.size();
    }

    /** Sessions whose relay is running (the origin accepted the publish/play). */
    public long relayingSessions() {
        return sessions.stream().filter(ClientSession::relaying).count();
    }

    /** The largest outbound backlog any session holds right now (client or origin side), in bytes. */
    public long maxPendingWriteBytes() {
        return sessions.stream().mapToLong(ClientSession::pendingWriteBytes).max().orElse(0);
    }

    void register(ClientSession s) {
        sessions.add(s);
    }

    void unregister(ClientSession s) {
        sessions.remove(s);
    }

    RtmpSettings settings() {
        return settings;
    }

    HitlessSettings hitless() {
        return hitless;
    }

    /** Where sessions, dials and relayed bytes are counted. */
    ProtocolMeters meters() {
        return meters;
    }

    RoutingCore routing() {
        return routing;
    }

    Transports transports() {
        return transports;
    }

    /** Bounds the whole origin setup: TCP connect, handshake and the replayed commands. */
    Duration connectTimeout() {
        return routingSettings.connectTimeout();
    }

    /** How often a relaying session checks for idleness and keeps its pin alive. */
    Duration tick() {
        long ms = Math.min(settings.idleTimeout().toMillis() / 2, routingSettings.pinTtl().toMillis() / 4);
        return Duration.ofMillis(Math.max(100, Math.min(ms, 5000)));
    }

    private void handshakeSeen(Handshake.Scheme scheme) {
        if (scheme != Handshake.Scheme.SIMPLE) {
            digestHandshakes.increment();
        }
    }

    /** Clients that used the digest ("complex") handshake since start. */
    public long digestHandshakes() {
        return digestHandshakes.sum();
    }
}
