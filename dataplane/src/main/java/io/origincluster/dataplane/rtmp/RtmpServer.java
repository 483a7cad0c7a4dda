package io.origincluster.dataplane.rtmp;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.origincluster.dataplane.ProtocolServer;
import io.origincluster.dataplane.config.RtmpSettings;
import io.origincluster.dataplane.netty.Transports;
import io.origincluster.dataplane.routing.RoutingCore;
import io.origincluster.dataplane.rtmp.codec.ChunkDecoder;
import io.origincluster.dataplane.rtmp.codec.ChunkEncoder;
import io.origincluster.dataplane.rtmp.codec.ServerHandshakeHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
    private final Duration connectTimeout;
    private final Set<ClientSession> sessions = ConcurrentHashMap.newKeySet();
    private Channel channel;

    public RtmpServer(RtmpSettings settings, RoutingCore routing, Transports transports, Duration connectTimeout) {
        this.settings = settings;
        this.routing = routing;
        this.transports = transports;
        this.connectTimeout = connectTimeout;
    }

    @Override
    public String name() {
        return "rtmp";
    }

    @Override
    public void start() throws Exception {
        channel = new ServerBootstrap().group(transports.boss(), transports.workers())
                .channel(transports.serverChannel())
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ServerHandshakeHandler(), new ChunkDecoder(), new ChunkEncoder(),
                                new ClientSession(RtmpServer.this));
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
        if (channel != null) {
            channel.close().awaitUninterruptibly(grace.toMillis());
        }
        sessions.forEach(ClientSession::shutdown);
    }

    /** Sessions open right now (connected clients, in any phase), for tests that prove nothing is left behind. */
    public int activeSessions() {
        return sessions.size();
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

    RoutingCore routing() {
        return routing;
    }

    Transports transports() {
        return transports;
    }

    Duration connectTimeout() {
        return connectTimeout;
    }
}
