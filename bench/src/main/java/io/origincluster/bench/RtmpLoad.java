package io.origincluster.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.origincluster.dataplane.rtmp.codec.ChunkDecoder;
import io.origincluster.dataplane.rtmp.codec.ChunkEncoder;
import io.origincluster.dataplane.rtmp.codec.ClientHandshakeHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/** The Netty side of the load: one event loop group for every client connection, and a bounded connect ramp. */
final class RtmpLoad implements AutoCloseable {

    /** At most this many connections setting up at once, so accept queues and the SYN backlog never overflow. */
    private final int maxConnecting;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;

    RtmpLoad(int threads, int maxConnecting) {
        this.maxConnecting = maxConnecting;
        boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(threads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        bootstrap = new Bootstrap().group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024));
    }

    record Client(RtmpLoadClient handler, Channel channel) {
    }

    record Ramp(List<Client> ready, List<String> failures, double seconds) {
    }

    Client open(int port, RtmpLoadClient.Role role, String stream, LoadStats stats, double fps, int size) {
        return open(port, role, stream, stats, fps, size, 0, null);
    }

    /** As above; {@code gop} > 0: a publisher sends real switch points; {@code tracker}: a player's gap accounting. */
    Client open(int port, RtmpLoadClient.Role role, String stream, LoadStats stats, double fps, int size, int gop,
                GapTracker tracker) {
        ChunkDecoder decoder = new ChunkDecoder();
        String tcUrl = "rtmp://127.0.0.1:" + port + "/live";
        RtmpLoadClient h = new RtmpLoadClient(role, tcUrl, stream, decoder, stats, fps, size).withGop(gop)
                .withTracker(tracker);
        ChannelFuture f = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new ClientHandshakeHandler(), decoder, new ChunkEncoder(), h);
            }
        }).connect("127.0.0.1", port);
        f.addListener(r -> {
            if (!r.isSuccess()) {
                h.ready.completeExceptionally(r.cause());
            }
        });
        return new Client(h, f.channel());
    }

    /**
     * Opens {@code count} clients (factory i -> client), at most {@code maxConnecting} in flight, until all are
     * up or {@code seconds} pass or failures exceed {@code maxFailures}; returns the ones that reached play/publish.
     */
    Ramp ramp(int count, IntFunction<Client> factory, int seconds, int maxFailures) {
        long started = System.nanoTime();
        Semaphore slots = new Semaphore(maxConnecting);
        Queue<Client> ready = new ConcurrentLinkedQueue<>();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        for (int i = 0; i < count && failures.size() <= maxFailures; i++) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !slots.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            Client c = factory.apply(i);
            c.handler().ready.orTimeout(30, TimeUnit.SECONDS).whenComplete((ch, err) -> {
                if (err == null) {
                    ready.add(c);
                } else {
                    failures.add(err.toString());
                    c.channel().close();
                }
                slots.release();
            });
        }
        try {
            slots.tryAcquire(maxConnecting, Math.max(1, (deadline - System.nanoTime()) / 1_000_000) + 31_000,
                    TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Ramp(new ArrayList<>(ready), new ArrayList<>(failures), (System.nanoTime() - started) / 1e9);
    }

    static void closeAll(List<Client> clients) {
        List<ChannelFuture> closing = new ArrayList<>();
        for (Client c : clients) {
            closing.add(c.channel().close());
        }
        for (ChannelFuture f : closing) {
            f.awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
