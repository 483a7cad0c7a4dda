package io.origincluster.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * HLS viewers as fast as a target serves them (or at a fixed total request rate): each client holds one keep-alive
 * HTTP/1.1 connection and loops GET playlist, then GET every segment the playlist lists (the proxy's rewritten URIs
 * carry its token), then the playlist again. Client-side keep-alive is the same for every target, so only what
 * the target does behind it differs. A connection the target closes (nginx's keep-alive request limit) is
 * reopened and counted.
 */
final class SegmentLoad implements AutoCloseable {

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;

    SegmentLoad(int threads) {
        boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(threads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        bootstrap = new Bootstrap().group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
    }

    /** What one measurement window counted; requests are counted when their response has ended. */
    static final class Window {
        final LongAdder requests = new LongAdder();
        final LongAdder segments = new LongAdder();
        final LongAdder playlists = new LongAdder();
        final LongAdder bytes = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder reconnects = new LongAdder();
        /** Segment request: write of the request to the end of the response. */
        final LatencyHistogram segment = new LatencyHistogram();
        /** Segment request: write of the request to the response head (time to first byte). */
        final LatencyHistogram segmentFirstByte = new LatencyHistogram();
        /** Playlist request: write of the request to the end of the response. */
        final LatencyHistogram playlist = new LatencyHistogram();
        /** Playlist request: write of the request to the response head. */
        final LatencyHistogram playlistFirstByte = new LatencyHistogram();
        final Queue<String> errorSamples = new ConcurrentLinkedQueue<>();

        void error(String what) {
            errors.increment();
            if (errorSamples.size() < 5) {
                errorSamples.add(what);
            }
        }
    }

    /** The counters every client of one phase records into; a new {@link Window} per measurement window. */
    static final class Stats {
        private volatile Window window = new Window();

        Window open() {
            Window w = new Window();
            window = w;
            return w;
        }

        /** Ends the current window: later responses go to a window nobody reads. */
        void close() {
            window = new Window();
        }

        Window current() {
            return window;
        }
    }

    /** One phase's clients against one target. */
    final class Run implements AutoCloseable {
        private final List<Client> clients = new ArrayList<>();
        final Stats stats = new Stats();

        Run(int port, String playlistTarget, int count, double totalRate) {
            long interval = totalRate > 0 ? (long) (count * 1e9 / totalRate) : 0;
            for (int i = 0; i < count; i++) {
                Pacer pacer = interval > 0 ? new Pacer(interval,
                        System.nanoTime() + ThreadLocalRandom.current().nextLong(interval)) : null;
                Client c = new Client(port, playlistTarget, pacer, stats);
                clients.add(c);
                c.connect();
            }
        }

        @Override
        public void close() {
            for (Client c : clients) {
                c.stop();
            }
        }
    }

    Run start(int port, String playlistTarget, int count, double totalRate) {
        return new Run(port, playlistTarget, count, totalRate);
    }

    /** One viewer: its connection (reopened when the target closes it) and its place in the playlist. */
    private final class Client {
        private final int port;
        private final String playlistTarget;
        private final Pacer pacer;
        private final Stats stats;
        private final ArrayDeque<String> todo = new ArrayDeque<>();
        private volatile boolean stopped;
        private Channel channel;
        // the request in flight (touched on the channel's event loop only)
        private String target;
        private boolean isPlaylist;
        private long sentNanos;
        private int status;
        private boolean keepAlive;
        private final StringBuilder body = new StringBuilder();

        Client(int port, String playlistTarget, Pacer pacer, Stats stats) {
            this.port = port;
            this.playlistTarget = playlistTarget;
            this.pacer = pacer;
            this.stats = stats;
        }

        void connect() {
            if (stopped) {
                return;
            }
            bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new HttpClientCodec(), new Handler());
                }
            }).connect("127.0.0.1", port).addListener(f -> {
                if (!f.isSuccess()) {
                    stats.current().error("connect: " + f.cause());
                    if (!stopped) {
                        group.schedule(this::connect, 100, TimeUnit.MILLISECONDS);
                    }
                }
            });
        }

        void stop() {
            stopped = true;
            Channel ch = channel;
            if (ch != null) {
                ch.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }

        /** Sends the next request now or when the pacer says. */
        void next(Channel ch) {
            if (stopped || !ch.isActive()) {
                return;
            }
            if (pacer != null) {
                long now = System.nanoTime();
                long wait = pacer.due(now) - now;
                if (wait > 0) {
                    ch.eventLoop().schedule(() -> send(ch), wait, TimeUnit.NANOSECONDS);
                    return;
                }
            }
            send(ch);
        }

        private void send(Channel ch) {
            if (stopped || !ch.isActive()) {
                return;
            }
            isPlaylist = todo.isEmpty();
            target = isPlaylist ? playlistTarget : todo.poll();
            DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target);
            req.headers().set(HttpHeaderNames.HOST, "127.0.0.1:" + port);
            req.headers().set(HttpHeaderNames.USER_AGENT, "origin-cluster-bench");
            status = 0;
            body.setLength(0);
            sentNanos = System.nanoTime();
            ch.writeAndFlush(req);
        }

        private final class Handler extends SimpleChannelInboundHandler<HttpObject> {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                channel = ctx.channel();
                next(ctx.channel());
            }

            @Override
            protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                Window w = stats.current();
                if (msg instanceof HttpResponse r) {
                    status = r.status().code();
                    keepAlive = HttpUtil.isKeepAlive(r);
                    (isPlaylist ? w.playlistFirstByte : w.segmentFirstByte)
                            .record((System.nanoTime() - sentNanos) / 1000);
                }
                if (msg instanceof HttpContent c) {
                    w.bytes.add(c.content().readableBytes());
                    if (isPlaylist) {
                        body.append(c.content().toString(StandardCharsets.UTF_8));
                    }
                }
                if (msg instanceof LastHttpContent) {
                    long micros = (System.nanoTime() - sentNanos) / 1000;
                    w.requests.increment();
                    if (status != 200) {
                        w.error(status + " for " + abbreviate(target));
                        todo.clear();
                    } else if (isPlaylist) {
                        w.playlists.increment();
                        w.playlist.record(micros);
                        todo.addAll(Dash.segmentTargets(body.toString(), playlistTarget));
                        if (todo.isEmpty()) {
                            w.error("playlist without segments: " + abbreviate(body.toString()));
                        }
                    } else {
                        w.segments.increment();
                        w.segment.record(micros);
                    }
                    target = null;
                    if (keepAlive) {
                        next(ctx.channel());
                    } else {
                        ctx.close();
                    }
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                if (stopped) {
                    return;
                }
                Window w = stats.current();
                if (target != null) {
                    w.error("connection closed during " + abbreviate(target));
                    todo.clear();
                    target = null;
                }
                w.reconnects.increment();
                connect();
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                stats.current().error(cause.toString());
                ctx.close();
            }
        }
    }

    static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ");
        return one.length() > 120 ? one.substring(0, 120) + "..." : one;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
