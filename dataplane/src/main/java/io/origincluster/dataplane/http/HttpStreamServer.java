package io.origincluster.dataplane.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.origincluster.dataplane.ProtocolServer;
import io.origincluster.dataplane.config.HttpSettings;
import io.origincluster.dataplane.config.ProxyConfig;
import io.origincluster.dataplane.http.hls.HlsToken;
import io.origincluster.dataplane.netty.Transports;
import io.origincluster.dataplane.routing.RoutingCore;
import io.origincluster.dataplane.tls.TlsTwin;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code PROXY_HTTP_SERVER}: HTTP-FLV, HTTP-TS and HLS to the stream's origin, {@code /api/v1/versions}, and
 * static files. Request lines are capped at 8 KiB and headers at 16 KiB; a connection idle for
 * {@code PROXY_HTTP_IDLE_TIMEOUT} is closed.
 */
public final class HttpStreamServer implements ProtocolServer {

    private static final Logger log = LoggerFactory.getLogger(HttpStreamServer.class);
    static final int MAX_REQUEST_LINE = 8192;
    static final int MAX_HEADER_BYTES = 16384;

    private final ProxyConfig config;
    private final Transports transports;
    private final HttpStreamServices services;
    private final OriginRouter router;
    private final ChannelGroup connections = new DefaultChannelGroup("http-stream", GlobalEventExecutor.INSTANCE);
    private Channel channel;
    private TlsTwin tls = TlsTwin.none();

    /** @param tokens signs and checks HLS segment tokens (a fixed key, or one shared through the state store) */
    public HttpStreamServer(ProxyConfig config, RoutingCore routing, Transports transports, HlsToken tokens,
                            io.origincluster.dataplane.metrics.ProtocolMeters meters,
                            java.util.function.IntSupplier httpApiPort) {
        this.config = config;
        this.transports = transports;
        HttpSettings http = config.http();
        // RoutingCore.touch reaches the store at most once per third of the pin TTL; asking at that rate keeps
        // the pin of a long stream alive without a call per chunk.
        Duration touchEvery = config.routing().pinTtl().dividedBy(3);
        this.services = new HttpStreamServices(http, routing,
                new OriginConnector(transports, config.routing().connectTimeout(), http.idleTimeout(),
                        http.originPoolPerLoop()),
                tokens, http.staticFiles() == null ? null : new StaticFiles(http.staticFiles()),
                touchEvery, Clock.systemUTC(), config.hitless(), meters,
                http.playerPages() ? new PlayerPages(httpApiPort) : null);
        this.router = new OriginRouter(services);
    }

    /** The origin dialer and connection pool, for tests that count connections. */
    OriginConnector connector() {
        return services.connector();
    }

    @Override
    public String name() {
        return "http-stream";
    }

    @Override
    public void start() throws Exception {
        long idleMillis = config.http().idleTimeout().toMillis();
        ServerBootstrap bootstrap = new ServerBootstrap().group(transports.workers())
                .channel(transports.serverChannel())
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true);
        ChannelInitializer<Channel> pipeline = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                connections.add(ch);
                ch.pipeline().addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
                ch.pipeline().addLast(new HttpServerCodec(new HttpDecoderConfig()
                        .setMaxInitialLineLength(MAX_REQUEST_LINE).setMaxHeaderSize(MAX_HEADER_BYTES)));
                ch.pipeline().addLast(new HttpStreamHandler(services, router));
            }
        };
        channel = bootstrap.clone().childHandler(pipeline).bind(config.http().streamListen()).sync().channel();
        tls.bind(bootstrap, pipeline);
    }

    /** Adds a TLS listener serving the same pipeline (before {@link #start()}); {@link TlsTwin#none()} for none. */
    public HttpStreamServer withTls(TlsTwin twin) {
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

    /** Open client connections, for tests that prove nothing is left behind. */
    public int connectionCount() {
        return connections.size();
    }

    @Override
    public void stop(Duration grace) {
        if (channel == null) {
            return;
        }
        channel.close().awaitUninterruptibly(grace.toMillis());
        tls.close(grace);
        long deadline = System.nanoTime() + grace.toNanos();
        ProtocolServer.awaitEmpty(connections, deadline);
        connections.close().awaitUninterruptibly(1000);
    }
}
