package io.origincluster.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
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
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * HTTP-FLV or HTTP-TS players for the bench: each GETs one stream and reads it for as long as it runs, walking its
 * structure (FLV tags, or 188-byte TS packets each starting with the sync byte 0x47; a broken stream is an error,
 * not just bytes), and counting body bytes and media units (tags or packets) into the current window. A probe opens
 * one short-lived player at a time, records the time from the start of its connect to the response head and to its
 * first complete unit, and closes it: first-byte figures with the steady load around them, not the ramp's.
 */
final class LivePlayers implements AutoCloseable {

    /** What one measurement window counted. */
    static final class Window {
        final LongAdder bytes = new LongAdder();
        /** FLV tags or TS packets. */
        final LongAdder units = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder ended = new LongAdder();
        final LatencyHistogram head = new LatencyHistogram();
        final LatencyHistogram firstUnit = new LatencyHistogram();
        final Queue<String> errorSamples = new ConcurrentLinkedQueue<>();

        void error(String what) {
            errors.increment();
            if (errorSamples.size() < 5) {
                errorSamples.add(what);
            }
        }
    }

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final LiveStreamOrigin.Format format;
    private volatile Window window = new Window();

    LivePlayers(int threads, LiveStreamOrigin.Format format) {
        this.format = format;
        boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(threads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        bootstrap = new Bootstrap().group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
    }

    Window open() {
        Window w = new Window();
        window = w;
        return w;
    }

    void closeWindow() {
        window = new Window();
    }

    /** {@code count} players spread over {@code streams}, at most 32 connects in flight; returns their channels. */
    List<Channel> start(int port, int streams, int count) throws InterruptedException {
        List<Channel> out = new ArrayList<>();
        Semaphore inFlight = new Semaphore(32);
        for (int i = 0; i < count; i++) {
            inFlight.acquire();
            ChannelFuture f = connect(port, LiveStreamOrigin.path(i % streams, format), false, null);
            f.addListener(x -> inFlight.release());
            out.add(f.channel());
        }
        inFlight.acquire(32);
        return out;
    }

    /**
     * One probe player: connect, GET, first complete unit, close. Records into the window open when it started;
     * returns false if it failed or took over 5 s.
     */
    boolean probe(int port, int stream) throws InterruptedException {
        Probe p = new Probe();
        ChannelFuture f = connect(port, LiveStreamOrigin.path(stream, format), true, p);
        if (!p.done.tryAcquire(5, TimeUnit.SECONDS)) {
            window.error("probe: no first " + (format == LiveStreamOrigin.Format.FLV ? "tag" : "packet")
                    + " within 5 s");
            f.channel().close();
            return false;
        }
        f.channel().close();
        return true;
    }

    private static final class Probe {
        final Semaphore done = new Semaphore(0);
        final long started = System.nanoTime();
    }

    private ChannelFuture connect(int port, String path, boolean probe, Probe p) {
        Player player = new Player(probe ? p : null, format == LiveStreamOrigin.Format.FLV ? new FlvWalk()
                : new TsWalk());
        ChannelFuture f = bootstrap.clone().handler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpClientCodec(4096, 8192, 65536));
                ch.pipeline().addLast(player);
            }
        }).connect("127.0.0.1", port);
        f.addListener(x -> {
            if (!x.isSuccess()) {
                window.error("connect: " + x.cause());
                if (p != null) {
                    p.done.release();
                }
                return;
            }
            DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
            req.headers().set(HttpHeaderNames.HOST, "127.0.0.1:" + port);
            req.headers().set(HttpHeaderNames.USER_AGENT, "origin-cluster-bench");
            f.channel().writeAndFlush(req);
        });
        return f;
    }

    /** Reads a live body piece by piece; counts whole units (FLV tags, TS packets) and says when it is broken. */
    interface Walk {
        /** Consumes {@code b}; the number of units completed in it, or -1 when the structure is broken. */
        int walk(ByteBuf b);
    }

    /** FLV: 13 bytes of file header ('F' first), then tags (11 + data + 4) of type 8, 9 or 18. */
    static final class FlvWalk implements Walk {
        private int headerLeft = 13;
        private final byte[] tagHead = new byte[11];
        private int tagHeadFill;
        private long skip;

        @Override
        public int walk(ByteBuf b) {
            int units = 0;
            while (b.isReadable()) {
                if (headerLeft > 0) {
                    int n = Math.min(headerLeft, b.readableBytes());
                    if (headerLeft == 13 && b.getByte(b.readerIndex()) != 'F') {
                        return -1;
                    }
                    b.skipBytes(n);
                    headerLeft -= n;
                } else if (skip > 0) {
                    int n = (int) Math.min(skip, b.readableBytes());
                    b.skipBytes(n);
                    skip -= n;
                } else {
                    int n = Math.min(11 - tagHeadFill, b.readableBytes());
                    b.readBytes(tagHead, tagHeadFill, n);
                    tagHeadFill += n;
                    if (tagHeadFill == 11) {
                        tagHeadFill = 0;
                        int type = tagHead[0] & 0x1f;
                        if (type != 8 && type != 9 && type != 18) {
                            return -1;
                        }
                        skip = ((tagHead[1] & 0xffL) << 16 | (tagHead[2] & 0xffL) << 8 | (tagHead[3] & 0xffL)) + 4;
                        units++;
                    }
                }
            }
            return units;
        }
    }

    /** MPEG-TS: 188-byte packets, each starting with 0x47, however the body is cut into pieces. */
    static final class TsWalk implements Walk {
        private int offset;

        @Override
        public int walk(ByteBuf b) {
            int units = 0;
            while (b.isReadable()) {
                if (offset == 0 && b.readByte() != 0x47) {
                    return -1;
                } else if (offset == 0) {
                    offset = 1;
                    continue;
                }
                int n = Math.min(TsMux.PACKET - offset, b.readableBytes());
                b.skipBytes(n);
                offset += n;
                if (offset == TsMux.PACKET) {
                    offset = 0;
                    units++;
                }
            }
            return units;
        }
    }

    /** One player: its walk of the body, counted into the current window. */
    private final class Player extends SimpleChannelInboundHandler<HttpObject> {
        private final Probe probe;
        private final Walk walk;
        private boolean firstUnit;

        Player(Probe probe, Walk walk) {
            this.probe = probe;
            this.walk = walk;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse r) {
                if (probe != null) {
                    window.head.record((System.nanoTime() - probe.started) / 1000);
                }
                if (r.status().code() != 200) {
                    window.error("status " + r.status().code());
                    ctx.close();
                    return;
                }
            }
            if (msg instanceof HttpContent c) {
                ByteBuf b = c.content();
                if (probe == null) {
                    window.bytes.add(b.readableBytes());
                }
                int units = walk.walk(b);
                if (units < 0) {
                    window.error("bad " + format + " structure");
                    ctx.close();
                    return;
                }
                if (probe == null) {
                    window.units.add(units);
                } else if (units > 0 && !firstUnit) {
                    firstUnit = true;
                    window.firstUnit.record((System.nanoTime() - probe.started) / 1000);
                    probe.done.release();
                }
                if (msg instanceof LastHttpContent && probe == null) {
                    window.ended.increment();
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (probe != null && !firstUnit) {
                probe.done.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            window.error(cause.toString());
            ctx.close();
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
}
