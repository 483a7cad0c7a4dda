package io.origincluster.dataplane.api;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.origincluster.dataplane.ProtocolServer;
import io.origincluster.dataplane.config.HttpSettings;
import io.origincluster.dataplane.config.WebRtcSettings;
import io.origincluster.dataplane.netty.Transports;
import io.origincluster.dataplane.routing.RoutingCore;
import io.origincluster.dataplane.tls.TlsTwin;
import io.origincluster.dataplane.webrtc.WebRtcRelayServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP API port ({@code PROXY_HTTP_API}): WHIP/WHEP and SRS's JSON signalling forwarded to the stream's
 * origin, session resources (PATCH/DELETE) routed back to the origin that created them, and
 * {@code /api/v1/versions}. Request bodies are bounded ({@link #MAX_BODY}, 413 beyond).
 */
public final class HttpApiServer implements ProtocolServer {

    /** An SDP offer is a few kilobytes; this leaves room for many codecs and simulcast layers. */
    public static final int MAX_BODY = 128 * 1024;

    private final HttpSettings http;
    private final WebRtcSettings webrtc;
    private final RoutingCore routing;
    private final WebRtcRelayServer relay;
    private final Transports transports;
    private final io.origincluster.dataplane.metrics.ProtocolMeters meters;
    private Channel channel;
    private TlsTwin tls = TlsTwin.none();

    public HttpApiServer(HttpSettings http, WebRtcSettings webrtc, RoutingCore routing, WebRtcRelayServer relay,
                         Transports transports, io.origincluster.dataplane.metrics.ProtocolMeters meters) {
        this.meters = meters;
        this.http = http;
        this.webrtc = webrtc;
        this.routing = routing;
        this.relay = relay;
        this.transports = transports;
    }

    @Override
    public String name() {
        return "http-api";
    }

    @Override
    public void start() throws Exception {
        ApiContext context = new ApiContext(routing, relay, webrtc,
                new OriginClient(transports, webrtc.originTimeout()), new AdvertisedHost(webrtc.candidate()), meters);
        long idle = http.idleTimeout().toMillis();
        ServerBootstrap bootstrap = new ServerBootstrap().group(transports.workers())
                .channel(transports.serverChannel())
                .childOption(ChannelOption.AUTO_READ, false);
        ChannelInitializer<Channel> pipeline = new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS),
                        new HttpServerCodec(4096, 8192, 8192),
                        CorsHeaders.INSTANCE,
                        new HttpObjectAggregator(MAX_BODY),
                        new ApiHandler(context));
            }
        };
        channel = bootstrap.clone().childHandler(pipeline).bind(http.apiListen()).sync().channel();
        tls.bind(bootstrap, pipeline);
    }

    /** Adds a TLS listener serving the same pipeline (before {@link #start()}); {@link TlsTwin#none()} for none. */
    public HttpApiServer withTls(TlsTwin twin) {
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
        if (channel != null) {
            channel.close().awaitUninterruptibly(grace.toMillis());
        }
        tls.close(grace);
    }
}
