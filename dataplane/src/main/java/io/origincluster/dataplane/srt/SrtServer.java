package io.origincluster.dataplane.srt;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.origincluster.dataplane.ProtocolServer;
import io.origincluster.dataplane.config.SrtSettings;
import io.origincluster.dataplane.netty.Transports;
import io.origincluster.dataplane.routing.RoutingCore;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The SRT listener ({@code PROXY_SRT_SERVER}, UDP): one socket, one event loop, sessions relayed to origins. */
public final class SrtServer implements ProtocolServer {

    private final SrtSettings settings;
    private final Transports transports;
    private final SrtRelay relay;
    private Channel channel;

    public SrtServer(SrtSettings settings, RoutingCore routing, Transports transports,
                     io.origincluster.dataplane.metrics.ProtocolMeters meters) {
        this.settings = settings;
        this.transports = transports;
        this.relay = new SrtRelay(settings, routing, transports, meters);
    }

    @Override
    public String name() {
        return "srt";
    }

    @Override
    public void start() throws Exception {
        channel = new Bootstrap().group(transports.workers()).channel(transports.datagramChannel())
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                .handler(relay).bind(settings.listen()).sync().channel();
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Sizes and counters of the relay, read on its loop (never call from an event loop). */
    public SrtStats stats() {
        try {
            return channel.eventLoop().submit(relay::stats).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("SRT relay did not answer", e);
        }
    }

    @Override
    public void stop(Duration grace) {
        if (channel == null) {
            return;
        }
        if (!channel.eventLoop().isShuttingDown()) {
            channel.eventLoop().submit(() -> relay.closeAll("proxy stopping")).awaitUninterruptibly(grace.toMillis());
        }
        channel.close().awaitUninterruptibly(grace.toMillis());
    }
}
