package io.origincluster.dataplane.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.timeout.IdleStateHandler;
import io.origincluster.dataplane.netty.OriginDial;
import io.origincluster.dataplane.netty.Transports;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Opens HTTP client connections to origins on the client's own event loop, so relaying never crosses threads.
 * Channels start with AUTO_READ off: the relay decides when to read. A connection that receives nothing for the
 * idle timeout fires an idle event the relay turns into a 504 or a close.
 *
 * <p>Manifest and segment requests reuse keep-alive connections: a connection whose response ended cleanly and
 * that the origin keeps open goes back to a small pool per event loop and origin address ({@code poolPerLoop} at
 * most), where it is read so that an origin closing it is noticed at once, and closed after the idle timeout or
 * on any unexpected byte. Only the owning loop touches its pool.
 */
final class OriginConnector {

    static final String AGGREGATOR = "aggregator";
    /**
     * Read sizing for origin connections, which read with AUTO_READ off: one socket read per {@code read()}, and the
     * relay flushes to the client once per read. Netty's default guess tops out at 64 KiB and, for bursts between
     * 32 and 64 KiB (SRS's merged write: 350 ms of a 1 Mbit/s stream is about 44 KiB), swings between 32 and 64 KiB
     * from one read to the next, so every burst took two reads and two client writes. With room to grow past
     * 64 KiB the guess settles on the burst's size. When an origin writes whole tags or packets per burst (SRS
     * does), a read that takes in a whole burst leaves no partial unit to hold its buffer until the next one.
     */
    static final RecvByteBufAllocator BURST_READS = new AdaptiveRecvByteBufAllocator(
            AdaptiveRecvByteBufAllocator.DEFAULT_MINIMUM, AdaptiveRecvByteBufAllocator.DEFAULT_INITIAL, 256 << 10);

    private final Transports transports;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    private final int poolPerLoop;
    private final ConcurrentHashMap<EventLoop, Map<String, ArrayDeque<Channel>>> idle =
            new ConcurrentHashMap<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private final LongAdder reused = new LongAdder();

    OriginConnector(Transports transports, Duration connectTimeout, Duration idleTimeout, int poolPerLoop) {
        this.transports = transports;
        this.connectTimeout = connectTimeout;
        this.idleTimeout = idleTimeout;
        this.poolPerLoop = poolPerLoop;
    }

    /** Idle pooled connections right now, over all loops and origins. */
    int idleConnections() {
        return idleCount.get();
    }

    /** Requests that went out on a pooled connection since start. */
    long reusedConnections() {
        return reused.sum();
    }

    /** A pooled connection to {@code address} if one is idle on {@code loop}, else a new one. */
    CompletableFuture<Channel> acquire(InetSocketAddress address, EventLoop loop, int maxAggregateBytes) {
        if (poolPerLoop == 0) {
            return connect(address, loop, maxAggregateBytes);
        }
        if (!loop.inEventLoop()) {
            CompletableFuture<Channel> hop = new CompletableFuture<>();
            loop.execute(() -> acquire(address, loop, maxAggregateBytes).whenComplete((ch, err) -> {
                if (err != null) {
                    hop.completeExceptionally(err);
                } else {
                    hop.complete(ch);
                }
            }));
            return hop;
        }
        Map<String, ArrayDeque<Channel>> byAddress = idle.get(loop);
        String key = poolKey(address);
        ArrayDeque<Channel> q = byAddress == null ? null : byAddress.get(key);
        while (q != null && !q.isEmpty()) {
            Channel ch = q.pollLast();
            idleCount.decrementAndGet();
            if (q.isEmpty()) {
                byAddress.remove(key);
            }
            if (ch.isActive()) {
                ch.pipeline().remove(Pooled.NAME);
                boolean aggregating = ch.pipeline().get(AGGREGATOR) != null;
                if (maxAggregateBytes > 0 && !aggregating) {
                    ch.pipeline().addLast(AGGREGATOR, new HttpObjectAggregator(maxAggregateBytes));
                } else if (maxAggregateBytes <= 0 && aggregating) {
                    ch.pipeline().remove(AGGREGATOR);
                }
                reused.increment();
                return CompletableFuture.completedFuture(ch);
            }
        }
        return connect(address, loop, maxAggregateBytes);
    }

    /**
     * Takes back a connection whose exchange ended with a complete, keep-alive response (call on its loop, after
     * the exchange's handler is gone); closes it when the pool is full or off.
     */
    void release(Channel ch, InetSocketAddress address) {
        if (poolPerLoop == 0 || !ch.isActive()) {
            ch.close();
            return;
        }
        EventLoop loop = ch.eventLoop();
        String key = poolKey(address);
        ArrayDeque<Channel> q = idle.computeIfAbsent(loop, l -> new HashMap<>())
                .computeIfAbsent(key, a -> new ArrayDeque<>());
        if (q.size() >= poolPerLoop) {
            ch.close();
            return;
        }
        ch.pipeline().addLast(Pooled.NAME, new Pooled(() -> {
            if (q.remove(ch)) {
                idleCount.decrementAndGet();
                if (q.isEmpty()) {
                    idle.getOrDefault(loop, Map.of()).remove(key, q);
                }
            }
        }));
        q.addLast(ch);
        idleCount.incrementAndGet();
        ch.read(); // an origin closing its idle end is seen at once, not on the next request
    }

    /** Routes carry resolved or unresolved addresses for the same origin: pool by host string and port. */
    private static String poolKey(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    /** Sits at the end of an idle pooled connection: anything but silence retires it. */
    private static final class Pooled extends io.netty.channel.ChannelInboundHandlerAdapter {
        static final String NAME = "pooled";
        private final Runnable forget;

        Pooled(Runnable forget) {
            this.forget = forget;
        }

        @Override
        public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
            io.netty.util.ReferenceCountUtil.release(msg);
            forget.run();
            ctx.close();
        }

        @Override
        public void userEventTriggered(io.netty.channel.ChannelHandlerContext ctx, Object evt) {
            io.netty.util.ReferenceCountUtil.release(evt);
            forget.run();
            ctx.close();
        }

        @Override
        public void channelInactive(io.netty.channel.ChannelHandlerContext ctx) {
            forget.run();
        }

        @Override
        public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
            forget.run();
            ctx.close();
        }
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
                .option(ChannelOption.RECVBUF_ALLOCATOR, BURST_READS)
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
