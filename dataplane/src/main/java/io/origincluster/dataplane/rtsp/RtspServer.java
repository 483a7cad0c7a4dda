package io.origincluster.dataplane.rtsp;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.origincluster.dataplane.ProtocolServer;
import io.origincluster.dataplane.config.RoutingSettings;
import io.origincluster.dataplane.config.RtspSettings;
import io.origincluster.dataplane.metrics.ProtocolMeters;
import io.origincluster.dataplane.netty.Transports;
import io.origincluster.dataplane.routing.RoutingCore;
import io.origincluster.dataplane.rtsp.codec.RtspDecoder;
import io.origincluster.dataplane.rtsp.codec.RtspEncoder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** The RTSP listener ({@code PROXY_RTSP_SERVER}): one {@link RtspSession} per connection, RTP interleaved on it. */
public final class RtspServer implements ProtocolServer {

    /** Per-channel outbound buffering before the other side stops being read. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    private final RtspSettings settings;
    private final RoutingSettings routingSettings;
    private final RoutingCore routing;
    private final Transports transports;
    private final ProtocolMeters meters;
    private final Set<RtspSession> sessions = ConcurrentHashMap.newKeySet();
    private final LongAdder unsupportedTransports = new LongAdder();
    private Channel channel;

    public RtspServer(RtspSettings settings, RoutingSettings routingSettings, RoutingCore routing,
                      Transports transports, ProtocolMeters meters) {
        this.settings = settings;
        this.routingSettings = routingSettings;
        this.routing = routing;
        this.transports = transports;
        this.meters = meters;
    }

    @Override
    public String name() {
        return "rtsp";
    }

    @Override
    public void start() throws Exception {
        channel = new ServerBootstrap().group(transports.workers())
                .channel(transports.serverChannel())
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new RtspDecoder(), RtspEncoder.INSTANCE, new RtspSession(RtspServer.this));
                    }
                })
                .bind(settings.listen()).sync().channel();
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
        ProtocolServer.awaitEmpty(sessions, deadline);
        sessions.forEach(RtspSession::shutdown);
    }

    /** Connections open right now, in any phase: tests prove nothing is left behind. */
    public int activeSessions() {
        return sessions.size();
    }

    /** Sessions whose origin answered PLAY or RECORD. */
    public long streamingSessions() {
        return sessions.stream().filter(RtspSession::streaming).count();
    }

    /** The largest outbound backlog any session holds right now (client or origin side), in bytes. */
    public long maxPendingWriteBytes() {
        return sessions.stream().mapToLong(RtspSession::pendingWriteBytes).max().orElse(0);
    }

    /** SETUPs answered 461 because they offered no TCP transport, since start. */
    public long unsupportedTransports() {
        return unsupportedTransports.sum();
    }

    void unsupportedTransport() {
        unsupportedTransports.increment();
    }

    void register(RtspSession s) {
        sessions.add(s);
    }

    void unregister(RtspSession s) {
        sessions.remove(s);
    }

    RtspSettings settings() {
        return settings;
    }

    RoutingCore routing() {
        return routing;
    }

    /** The shared point every protocol routes and counts its sessions through (protocol="rtsp"). */
    ProtocolMeters meters() {
        return meters;
    }

    Transports transports() {
        return transports;
    }

    /** Bounds dialling an origin and its answer to the first request. */
    Duration connectTimeout() {
        return routingSettings.connectTimeout();
    }

    /** How often a relaying session checks for idleness and keeps its pin alive. */
    Duration tick() {
        long ms = Math.min(settings.idleTimeout().toMillis() / 2, routingSettings.pinTtl().toMillis() / 4);
        return Duration.ofMillis(Math.max(100, Math.min(ms, 5000)));
    }
}
