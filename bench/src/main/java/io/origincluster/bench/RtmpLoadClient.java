package io.origincluster.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.origincluster.dataplane.rtmp.codec.ChunkDecoder;
import io.origincluster.dataplane.rtmp.codec.ControlMessages;
import io.origincluster.dataplane.rtmp.codec.HandshakeCompleted;
import io.origincluster.dataplane.rtmp.codec.RtmpCommand;
import io.origincluster.dataplane.rtmp.codec.RtmpMessage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One RTMP client connection of the load: connect, createStream, then publish or play. A publisher sends stamped
 * video messages of a fixed size at a fixed rate (or, at rate 0, as fast as the socket stays writable); a player
 * records each stamped message's one-way latency and size. Both acknowledge what they read per the server's window.
 */
final class RtmpLoadClient extends ChannelInboundHandlerAdapter {

    enum Role { PUBLISH, PLAY }

    private static final int VIDEO_CSID = 6;
    private static final int STREAM_CSID = 8;
    private static final int OUT_CHUNK_SIZE = 4096;

    private final Role role;
    private final String tcUrl;
    private final String stream;
    private final ChunkDecoder decoder;
    private final LoadStats stats;
    private final double fps;
    private final int messageSize;
    /** 0: every message is a stamped keyframe (the throughput and latency scenarios); n: see {@link #withGop}. */
    private int gop;
    /** Players of the migration scenario: gaps and sequence numbers of what they receive; null otherwise. */
    private GapTracker tracker;
    final CompletableFuture<Channel> ready = new CompletableFuture<>();
    private Channel channel;
    private int streamId;
    private long ackWindow = Long.MAX_VALUE;
    private long acked;
    private long seq;
    private long startNanos;
    private ScheduledFuture<?> pacer;

    RtmpLoadClient(Role role, String tcUrl, String stream, ChunkDecoder decoder, LoadStats stats, double fps,
                   int messageSize) {
        this.role = role;
        this.tcUrl = tcUrl;
        this.stream = stream;
        this.decoder = decoder;
        this.stats = stats;
        this.fps = fps;
        this.messageSize = messageSize;
    }

    /**
     * Publishers: send an AVC sequence header first, then a keyframe every {@code gop} messages and inter frames
     * between, so a proxy that splices at keyframes has real switch points. Players: nothing changes.
     */
    RtmpLoadClient withGop(int gop) {
        this.gop = gop;
        return this;
    }

    /** Players: feed every stamped message's sequence number and arrival time to {@code t}. */
    RtmpLoadClient withTracker(GapTracker t) {
        this.tracker = t;
        return this;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof HandshakeCompleted) {
            channel = ctx.channel();
            Map<String, Object> props = new LinkedHashMap<>();
            props.put("app", "live");
            props.put("type", "nonprivate");
            props.put("flashVer", role == Role.PUBLISH ? "FMLE/3.0 (compatible; origin-cluster-bench)"
                    : "LNX 9,0,124,2");
            props.put("tcUrl", tcUrl);
            ctx.write(ControlMessages.setChunkSize(ctx.alloc(), OUT_CHUNK_SIZE));
            ctx.writeAndFlush(RtmpCommand.of("connect", 1, props).toMessage(ctx.alloc(), 3, 0));
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof RtmpMessage m)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            switch (m.type()) {
                case RtmpMessage.VIDEO, RtmpMessage.AUDIO -> {
                    ByteBuf p = m.payload();
                    long now = System.nanoTime();
                    stats.received(p.readableBytes(), Stamp.sendNanos(p), now);
                    if (tracker != null) {
                        long s = Stamp.seq(p);
                        if (s >= 0) {
                            tracker.received(s, now);
                        }
                    }
                }
                case RtmpMessage.COMMAND_AMF0, RtmpMessage.COMMAND_AMF3 -> onCommand(ctx, RtmpCommand.decode(m));
                case RtmpMessage.WINDOW_ACK_SIZE -> ackWindow = ControlMessages.readUInt32(m);
                case RtmpMessage.USER_CONTROL -> {
                    if (ControlMessages.userControlEvent(m) == ControlMessages.PING_REQUEST) {
                        int value = m.payload().getInt(m.payload().readerIndex() + 2);
                        ctx.writeAndFlush(ControlMessages.userControl(ctx.alloc(), ControlMessages.PING_RESPONSE,
                                value));
                    }
                }
                default -> stats.otherMessages.increment();
            }
        } finally {
            m.release();
        }
        long read = decoder.bytesRead();
        if (read - acked >= ackWindow / 2) {
            acked = read;
            ctx.writeAndFlush(ControlMessages.ack(ctx.alloc(), read & 0xFFFF_FFFFL), ctx.voidPromise());
        }
    }

    private void onCommand(ChannelHandlerContext ctx, RtmpCommand c) {
        switch (c.name()) {
            case "_result" -> {
                if (c.transactionId() == 1) {
                    ctx.writeAndFlush(RtmpCommand.of("createStream", 2, null).toMessage(ctx.alloc(), 3, 0));
                } else if (c.transactionId() == 2 && !c.args().isEmpty() && c.args().get(0) instanceof Number n) {
                    streamId = n.intValue();
                    RtmpCommand start = role == Role.PUBLISH
                            ? RtmpCommand.of("publish", 3, null, stream, "live")
                            : RtmpCommand.of("play", 3, null, stream, -1000.0);
                    ctx.writeAndFlush(start.toMessage(ctx.alloc(), STREAM_CSID, streamId));
                }
            }
            case "onStatus" -> {
                Object code = c.info().get("code");
                if (ready.isDone() && code instanceof String s) {
                    stats.statusAfterStart(s); // what a client would see of an origin change, if anything
                }
                if ("NetStream.Publish.Start".equals(code) || "NetStream.Play.Start".equals(code)) {
                    if (ready.complete(ctx.channel()) && role == Role.PUBLISH) {
                        startPublishing();
                    }
                } else if (code instanceof String s && (s.contains("Failed") || s.contains("BadName")
                        || s.contains("Rejected"))) {
                    fail(ctx, "onStatus " + s);
                }
            }
            case "_error" -> fail(ctx, "_error " + c.info());
            default -> { }
        }
    }

    private void startPublishing() {
        startNanos = System.nanoTime();
        if (gop > 0) {
            ByteBuf config = channel.alloc().buffer(32);
            Stamp.writeAvcConfig(config);
            channel.writeAndFlush(new RtmpMessage(VIDEO_CSID, RtmpMessage.VIDEO, 0, streamId, config),
                    channel.voidPromise());
        }
        if (fps <= 0) {
            pump();
            return;
        }
        long period = (long) (1_000_000_000L / fps);
        // spread the publishers' ticks over the period, so 1,000 streams do not all fire on the same tick
        long phase = (long) (Math.random() * period);
        pacer = channel.eventLoop().scheduleAtFixedRate(this::tick, phase, period, TimeUnit.NANOSECONDS);
    }

    private void tick() {
        if (!channel.isActive()) {
            return;
        }
        if (!channel.isWritable()) {
            stats.skippedMessages.increment();
            return;
        }
        sendOne();
        channel.flush();
    }

    /** Unpaced mode: write while writable, a bounded batch per loop turn; writability changes resume it. */
    private void pump() {
        int n = 0;
        while (channel.isActive() && channel.isWritable() && n++ < 32) {
            sendOne();
        }
        channel.flush();
        if (channel.isActive() && channel.isWritable()) {
            channel.eventLoop().execute(this::pump);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (role == Role.PUBLISH && fps <= 0 && ctx.channel().isWritable() && ready.isDone()) {
            pump();
        }
        super.channelWritabilityChanged(ctx);
    }

    private void sendOne() {
        long now = System.nanoTime();
        ByteBuf p = channel.alloc().buffer(messageSize);
        Stamp.write(p, seq, now, messageSize, gop <= 0 || seq % gop == 0);
        seq++;
        long ts = (now - startNanos) / 1_000_000;
        channel.write(new RtmpMessage(VIDEO_CSID, RtmpMessage.VIDEO, ts, streamId, p), channel.voidPromise());
        stats.sentMessages.increment();
        stats.sentBytes.add(messageSize);
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        ready.completeExceptionally(new IllegalStateException(role + " " + stream + ": " + why));
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, cause.toString());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (pacer != null) {
            pacer.cancel(false);
        }
        stats.closed.increment();
        ready.completeExceptionally(new IllegalStateException(role + " " + stream + ": closed before start"));
        super.channelInactive(ctx);
    }
}
