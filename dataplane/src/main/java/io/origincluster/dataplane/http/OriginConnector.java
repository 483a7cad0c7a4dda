package io.origincluster.dataplane.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.timeout.IdleStateHandler;
import io.origincluster.dataplane.netty.OriginDial;
import io.origincluster.dataplane.netty.Transports;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Opens HTTP client connections to origins on the client's own event loop, so relaying never crosses threads.
 * Channels start with AUTO_READ off: the relay decides when to read. A connection that receives nothing for the
 * idle timeout fires an idle event the relay turns into a 504 or a close.
 */
final class OriginConnector {

    static final String AGGREGATOR = "aggregator";

    private final Transports transports;
    private final Duration connectTimeout;
    private final Duration idleTimeout;

    OriginConnector(Transports transports, Duration connectTimeout, Duration idleTimeout) {
        this.transports = transports;
        this.connectTimeout = connectTimeout;
        this.idleTimeout = idleTimeout;
    }

    /**
     * @param maxAggregateBytes when positive, responses are collected into one message of at most this size
     *                          (playlists); otherwise they stream as parts
     */
    CompletableFuture<Channel> connect(InetSocketAddress address, EventLoop loop, int maxAggregateBytes) {
        CompletableFuture<Channel> result = new CompletableFuture<>();
        ChannelFuture f = new Bootstrap().group(loop).channel(transports.clientChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new IdleStateHandler(idleTimeout.toMillis(), 0, 0, TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast(new HttpClientCodec(new HttpDecoderConfig()
                                .setMaxInitialLineLength(8192).setMaxHeaderSize(16384).setMaxChunkSize(65536),
                                false, false));
                        if (maxAggregateBytes > 0) {
                            ch.pipeline().addLast(AGGREGATOR, new HttpObjectAggregator(maxAggregateBytes));
                        }
                    }
                })
                .connect(address);
        f.addListener(done -> {
            if (done.isSuccess()) {
                result.complete(f.channel());
            } else {
                result.completeExceptionally(OriginDial.failure(f));
            }
        });
        return result;
    }
}
