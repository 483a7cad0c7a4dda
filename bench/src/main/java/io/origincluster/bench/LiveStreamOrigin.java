package io.origincluster.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A live HTTP-FLV and HTTP-TS origin in the harness (nginx-rtmp has neither): {@code GET /live/s<i>.flv} and
 * {@code GET /live/s<i>.ts} for each of its streams answer at once with a chunked 200 (as SRS does), then the
 * stream from then on. Each stream produces one video frame per 40 ms (a keyframe every 25) and two AAC frames,
 * sized for the configured bitrate; the same frames go out as FLV (the FLV header, onMetaData and the AVC/AAC
 * configurations first, then tags) and as MPEG-TS ({@link TsMux}: PAT and PMT first and before every keyframe, then
 * one PES per frame in 188-byte packets). Like SRS's merged write ({@code mw_latency}, 350 ms by default) the media
 * of {@code batchMs} is sent together: framed once as one HTTP chunk, the same bytes to every player of the stream
 * and format (fan-out by the origin, as a real one does); a batch of 40 ms sends every frame as it is made.
 * A player that cannot keep up with 1 MiB of backlog is closed, as live servers drop slow players.
 */
final class LiveStreamOrigin implements AutoCloseable {

    /** What a player asks for: the path's extension, the response's content type. */
    enum Format {
        FLV("flv", "video/x-flv"), TS("ts", "video/mp2t");

        final String extension;
        final String contentType;

        Format(String extension, String contentType) {
            this.extension = extension;
            this.contentType = contentType;
        }

        static Format of(String name) {
            for (Format f : values()) {
                if (f.extension.equalsIgnoreCase(name)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("unknown live format '" + name + "': flv or ts");
        }
    }


    static final int TICK_MS = 40;
    static final int GOP = 25;
    static final int AUDIO_BYTES = 180;

    private final EventLoopGroup group;
    private final Channel server;
    /** Players by format (ordinal), then stream. */
    private final ChannelGroup[][] players;
    private final ScheduledFuture<?> ticker;
    private final int videoBytes;
    private final int ticksPerBatch;
    /** Media of the batch being built, by format (ordinal), then stream. */
    private final ByteBuf[][] pending;
    private final TsMux[] ts;
    private final long startedNanos = System.nanoTime();
    private final AtomicLong slowClosed = new AtomicLong();
    private long frame;

    private LiveStreamOrigin(int streams, int kbps, int batchMs) throws InterruptedException {
        ticksPerBatch = Math.max(1, batchMs / TICK_MS);
        int formats = Format.values().length;
        pending = new ByteBuf[formats][streams];
        ts = new TsMux[streams];
        boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        players = new ChannelGroup[formats][streams];
        for (Format f : Format.values()) {
            for (int i = 0; i < streams; i++) {
                players[f.ordinal()][i] = new DefaultChannelGroup(f.extension + "-" + i, group.next());
            }
        }
        for (int i = 0; i < streams; i++) {
            ts[i] = new TsMux();
        }
        // per tick: kbps*1000/8 bytes per second / 25 ticks, less the two audio frames and framing
        videoBytes = Math.max(64, kbps * 1000 / 8 / (1000 / TICK_MS) - 2 * (AUDIO_BYTES + 15) - 15 - 9);
        server = new ServerBootstrap().group(group).channel(epoll ? EpollServerSocketChannel.class
                        : NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 * 1024, 1 << 20))
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("decoder", new HttpRequestDecoder());
                        ch.pipeline().addLast(new Join());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        ticker = group.next().scheduleAtFixedRate(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    static LiveStreamOrigin start(int streams, int kbps, int batchMs) {
        try {
            return new LiveStreamOrigin(streams, kbps, batchMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String path(int stream, Format format) {
        return "/live/s" + stream + "." + format.extension;
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    long slowClosed() {
        return slowClosed.get();
    }

    /** Answers the request, then the connection gets the stream's ticks (the codec is gone: raw bytes out). */
    private final class Join extends SimpleChannelInboundHandler<Object> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof HttpRequest req)) {
                return;
            }
            String uri = req.uri().indexOf('?') >= 0 ? req.uri().substring(0, req.uri().indexOf('?')) : req.uri();
            Format format = uri.endsWith(".ts") ? Format.TS : Format.FLV;
            int stream = streamOf(uri, format);
            if (stream < 0) {
                ctx.writeAndFlush(ascii("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            ctx.pipeline().remove("decoder");
            ctx.pipeline().replace(this, "quiet", new Quiet());
            ctx.channel().config().setAutoRead(false);
            ByteBuf head = ascii("HTTP/1.1 200 OK\r\nServer: bench-live-origin\r\nContent-Type: "
                    + format.contentType + "\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n"
                    + "Cache-Control: no-cache\r\n\r\n");
            ctx.write(head);
            ctx.writeAndFlush(chunk(format == Format.FLV ? preamble() : tsPreamble(stream)));
            players[format.ordinal()][stream].add(ctx.channel());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** After the request: a player resetting its connection is normal here, not something to log. */
    private static final class Quiet extends io.netty.channel.ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            io.netty.util.ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private int streamOf(String p, Format format) {
        String suffix = "." + format.extension;
        if (!p.startsWith("/live/s") || !p.endsWith(suffix)) {
            return -1;
        }
        try {
            int i = Integer.parseInt(p.substring(7, p.length() - suffix.length()));
            return i >= 0 && i < ts.length ? i : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * One tick for every stream: one video frame and two audio frames, muxed for each format that has players; at
     * the end of a batch the same chunk to all of the stream's players of that format.
     */
    private void tick() {
        long ms = (System.nanoTime() - startedNanos) / 1_000_000;
        boolean key = frame % GOP == 0;
        frame++;
        boolean send = frame % ticksPerBatch == 0;
        for (int s = 0; s < ts.length; s++) {
            ChannelGroup flv = players[Format.FLV.ordinal()][s];
            ChannelGroup mp2t = players[Format.TS.ordinal()][s];
            if (flv.isEmpty() && mp2t.isEmpty()) {
                continue;
            }
            byte[] nal = new byte[videoBytes - 9];
            ThreadLocalRandom.current().nextBytes(nal);
            byte[] aac = new byte[AUDIO_BYTES - 2];
            if (!flv.isEmpty()) {
                ByteBuf body = batch(Format.FLV, s);
                ByteBuf video = Unpooled.buffer(videoBytes);
                video.writeByte(key ? 0x17 : 0x27).writeByte(1).writeMedium(0).writeInt(nal.length).writeBytes(nal);
                tag(body, 9, ms, video);
                for (int a = 0; a < 2; a++) {
                    ByteBuf audio = Unpooled.buffer(AUDIO_BYTES);
                    audio.writeByte(0xAF).writeByte(1).writeBytes(aac);
                    tag(body, 8, ms + a * 20L, audio);
                }
            }
            if (!mp2t.isEmpty()) {
                ByteBuf body = batch(Format.TS, s);
                if (key) {
                    ts[s].tables(body);
                }
                ts[s].video(body, ms, key, nal);
                for (int a = 0; a < 2; a++) {
                    ts[s].audio(body, ms + a * 20L, aac);
                }
            }
            if (send) {
                for (Format f : Format.values()) {
                    ByteBuf body = pending[f.ordinal()][s];
                    if (body != null) {
                        pending[f.ordinal()][s] = null;
                        fanOut(players[f.ordinal()][s], chunk(body));
                    }
                }
            }
        }
    }

    private ByteBuf batch(Format f, int stream) {
        ByteBuf b = pending[f.ordinal()][stream];
        if (b == null) {
            // TS: a frame of n bytes takes about n/184 packets of 188
            b = Unpooled.buffer(ticksPerBatch * (videoBytes * 188 / 184 + 2 * AUDIO_BYTES + 3 * 188 + 64));
            pending[f.ordinal()][stream] = b;
        }
        return b;
    }

    private void fanOut(ChannelGroup g, ByteBuf c) {
        for (Channel ch : g) {
            if (!ch.isWritable()) {
                slowClosed.incrementAndGet();
                ch.close();
            } else {
                ch.writeAndFlush(c.retainedDuplicate(), ch.voidPromise());
            }
        }
        c.release();
    }

    /** PAT and PMT: a TS player's first packets. */
    private ByteBuf tsPreamble(int stream) {
        ByteBuf b = Unpooled.buffer(2 * TsMux.PACKET);
        ts[stream].tablesForJoin(b);
        return b;
    }

    /** FLV header, onMetaData, AVC sequence header, AAC AudioSpecificConfig: what a player needs first. */
    private static ByteBuf preamble() {
        ByteBuf b = Unpooled.buffer(256);
        b.writeBytes("FLV".getBytes(StandardCharsets.US_ASCII)).writeByte(1).writeByte(5).writeInt(9).writeInt(0);
        ByteBuf meta = Unpooled.buffer(64);
        meta.writeByte(2).writeShort(10).writeBytes("onMetaData".getBytes(StandardCharsets.US_ASCII));
        meta.writeByte(8).writeInt(1).writeShort(8).writeBytes("duration".getBytes(StandardCharsets.US_ASCII))
                .writeByte(0).writeLong(0).writeMedium(9);
        tag(b, 18, 0, meta);
        ByteBuf avc = Unpooled.buffer(32);
        avc.writeByte(0x17).writeByte(0).writeMedium(0)
                .writeBytes(new byte[] {1, 0x42, 0, 0x1e, (byte) 0xff, (byte) 0xe1, 0, 4, 0x67, 0x42, 0, 0x1e, 1, 0, 4,
                    0x68, (byte) 0xce, 0x3c, (byte) 0x80});
        tag(b, 9, 0, avc);
        ByteBuf aac = Unpooled.buffer(4);
        aac.writeByte(0xAF).writeByte(0).writeByte(0x12).writeByte(0x10);
        tag(b, 8, 0, aac);
        return b;
    }

    /** One FLV tag and its PreviousTagSize; releases {@code data}. */
    private static void tag(ByteBuf out, int type, long ts, ByteBuf data) {
        int size = data.readableBytes();
        out.writeByte(type).writeMedium(size).writeMedium((int) (ts & 0xFFFFFF)).writeByte((int) (ts >>> 24) & 0xff)
                .writeMedium(0).writeBytes(data).writeInt(11 + size);
        data.release();
    }

    private static ByteBuf chunk(ByteBuf body) {
        ByteBuf c = Unpooled.buffer(body.readableBytes() + 16);
        c.writeCharSequence(Integer.toHexString(body.readableBytes()) + "\r\n", StandardCharsets.US_ASCII);
        c.writeBytes(body).writeCharSequence("\r\n", StandardCharsets.US_ASCII);
        body.release();
        return c;
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
        ticker.cancel(false);
        group.next().submit(() -> {
            for (ByteBuf[] byStream : pending) {
                for (int i = 0; i < byStream.length; i++) {
                    if (byStream[i] != null) {
                        byStream[i].release();
                        byStream[i] = null;
                    }
                }
            }
        }).awaitUninterruptibly(2000);
        server.close().awaitUninterruptibly(2000);
        for (ChannelGroup[] byStream : players) {
            for (ChannelGroup g : byStream) {
                g.close().awaitUninterruptibly(2000);
            }
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
}
