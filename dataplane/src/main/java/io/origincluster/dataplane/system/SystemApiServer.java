package io.origincluster.dataplane.system;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.origincluster.dataplane.ProtocolServer;
import io.origincluster.dataplane.config.SystemApiSettings;
import io.origincluster.dataplane.metrics.Metrics;
import io.origincluster.dataplane.netty.Transports;
import io.origincluster.dataplane.tls.TlsTwin;
import io.origincluster.state.StateStore;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The system API listener ({@code PROXY_SYSTEM_API}): SRS-compatible registration plus health, listing and
 * metrics endpoints (see {@link SystemApi}). Bodies are bounded by {@code PROXY_SYSTEM_API_MAX_BODY} (413 past
 * it) and idle connections close after {@code PROXY_SYSTEM_API_IDLE_TIMEOUT}.
 */
public final class SystemApiServer implements ProtocolServer {

    private final SystemApiSettings settings;
    private final Transports transports;
    private final SystemApi api;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private Channel channel;
    private TlsTwin tls = TlsTwin.none();

    public SystemApiServer(SystemApiSettings settings, Transports transports, StateStore store, Metrics metrics,
                           io.origincluster.dataplane.routing.RoutingCore routing,
                           io.origincluster.dataplane.cluster.ClusterPoller cluster, BooleanSupplier ready) {
        this.settings = settings;
        this.transports = transports;
        this.api = new SystemApi(settings, store, metrics, routing, cluster, ready,
                transports.transport().label());
    }

    @Override
    public String name() {
        return "system-api";
    }

    @Override
    public void start() throws Exception {
        long idleMs = settings.idleTimeout().toMillis();
        ServerBootstrap bootstrap = new ServerBootstrap().group(transports.workers())
                .channel(transports.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true);
        ChannelInitializer<Channel> pipeline = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                connections.add(ch);
                ch.pipeline()
                        .addLast(new IdleStateHandler(0, 0, idleMs, TimeUnit.MILLISECONDS))
                        .addLast(new HttpServerCodec())
                        .addLast(new BoundedAggregator(settings.maxBodyBytes(), api))
                        .addLast(new SystemApiHandler(api));
            }
        };
        channel = bootstrap.clone().childHandler(pipeline).bind(settings.listen()).sync().channel();
        tls.bind(bootstrap, pipeline);
    }

    /** Adds a TLS listener serving the same pipeline (before {@link #start()}); {@link TlsTwin#none()} for none. */
    public SystemApiServer withTls(TlsTwin twin) {
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
        // API calls are short: open keep-alive connections are simply closed.
        connections.close().awaitUninterruptibly(grace.toMillis());
    }

    /** Answers an oversized body with the API's JSON 413 instead of Netty's empty one. */
    private static final class BoundedAggregator extends HttpObjectAggregator {
        private final SystemApi api;

        BoundedAggregator(int maxContentLength, SystemApi api) {
            super(maxContentLength);
            this.api = api;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            if (!(oversized instanceof HttpRequest req)) {
                ctx.close();
                return;
            }
            String path = new QueryStringDecoder(req.uri()).path();
            if (path.startsWith(SystemApi.REGISTER)) {
                api.count("register", "too_large");
            }
            FullHttpResponse r = ApiResponses.error(api.mapper(), HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "body larger than " + maxContentLength() + " bytes (PROXY_SYSTEM_API_MAX_BODY)");
            // Once body bytes were consumed the stream cannot be resynchronised; otherwise the aggregator skips
            // the rest of this body and the connection can stay open, as Netty's own handler does.
            boolean close = oversized instanceof FullHttpMessage
                    || !HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized);
            HttpUtil.setKeepAlive(r, !close);
            ctx.writeAndFlush(r).addListener(close ? ChannelFutureListener.CLOSE
                    : ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }
}
