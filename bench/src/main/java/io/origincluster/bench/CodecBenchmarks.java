package io.origincluster.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.origincluster.dataplane.http.ts.TsPacketReader;
import io.origincluster.dataplane.http.ts.TsSplicer;
import io.origincluster.dataplane.rtmp.codec.ChunkDecoder;
import io.origincluster.dataplane.rtmp.codec.ChunkEncoder;
import io.origincluster.dataplane.rtmp.codec.ControlMessages;
import io.origincluster.dataplane.rtmp.codec.RtmpCommand;
import io.origincluster.dataplane.rtmp.codec.RtmpMessage;
import io.origincluster.dataplane.webrtc.StunCodec;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The relay's per-message codec work: decoding a video message from 4 KiB chunks (through a channel, as the relay
 * runs it), encoding it back to chunks, decoding an AMF0 connect command, and pulling the username out of a STUN
 * binding request.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmarks {

    private RtmpMessage connect;
    private ByteBuf stun;

    /** A video message of a given size, its chunked form (4 KiB chunks), a decoder channel and an encoder. */
    @State(Scope.Thread)
    public static class Video {
        @Param({"200", "30000"})
        public int videoBytes;

        EmbeddedChannel decoderChannel;
        ByteBuf encodedVideo;
        ChunkEncoder encoder;
        RtmpMessage video;
        ByteBuf encodeOut;

        @Setup(Level.Trial)
        public void setUp() {
            PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
            ByteBuf payload = alloc.buffer(videoBytes);
            Stamp.write(payload, 1, 1, videoBytes);
            video = new RtmpMessage(6, RtmpMessage.VIDEO, 1000, 1, payload);

            encoder = new ChunkEncoder();
            ByteBuf scratch = Unpooled.buffer();
            encoder.encode(ControlMessages.setChunkSize(alloc, 4096), scratch);
            decoderChannel = new EmbeddedChannel(new ChunkDecoder());
            decoderChannel.writeInbound(scratch);
            releaseInbound();

            // a fresh encoder's first header is fmt 0, so the same bytes decode the same way on every invocation
            ChunkEncoder first = new ChunkEncoder();
            first.encode(ControlMessages.setChunkSize(alloc, 4096), Unpooled.buffer());
            encodedVideo = Unpooled.directBuffer();
            first.encode(video, encodedVideo);
            encodeOut = alloc.directBuffer(videoBytes + 64);
        }

        private void releaseInbound() {
            Object m;
            while ((m = decoderChannel.readInbound()) != null) {
                io.netty.util.ReferenceCountUtil.release(m);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            decoderChannel.finishAndReleaseAll();
            video.release();
            encodeOut.release();
            encodedVideo.release();
        }
    }

    /**
     * An HTTP-TS player's relay as TsMedia runs it (TsMedia is the dataplane's own; its loop is copied here): the
     * origin's reads through a TsPacketReader and a LegState into a TsSplicer, whose packets are copied into a flat
     * batch buffer that is released where the relay would write it. {@code spliced}: the player moved once, so every
     * PES header and PCR is rebased from then on.
     */
    @State(Scope.Thread)
    public static class TsRelay {
        private static final int MAX_BATCH = 64 * 1024;
        private static final int HEADROOM = 10;

        @Param({"false", "true"})
        public boolean spliced;

        final PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        ByteBuf[] reads;
        int next;
        TsPacketReader reader;
        TsSplicer.LegState leg;
        TsSplicer splicer;
        ByteBuf batch;
        long bytes;
        long lastMediaNanos;
        boolean fed;
        int readBytes;
        private final TsSplicer.RunOutput output = this::append;
        private final TsPacketReader.InPlaceSink sink = (buf, at) -> {
            leg.observe(buf, at, alloc);
            emit(buf, at);
        };

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            reads = TsBenchStream.reads(alloc, 4);
            splicer = new TsSplicer(alloc);
            newLeg();
            for (int i = 0; i < reads.length; i++) {
                read(); // the whole stream once: a steady state, and the last DTS a splice continues from
            }
            if (bytes < (long) reads.length * TsBenchStream.READ * 9 / 10) {
                throw new IllegalStateException("only " + bytes + " bytes relayed"); // a benchmark of nothing
            }
            if (spliced) {
                reader.close();
                leg.release();
                splicer.splice();
                newLeg();
                for (int i = 0; i < reads.length && splicer.awaitingStart(); i++) {
                    read();
                }
                if (splicer.awaitingStart()) {
                    throw new IllegalStateException("the stream has no splice point");
                }
            }
        }

        private void newLeg() {
            reader = new TsPacketReader(alloc);
            leg = new TsSplicer.LegState();
        }

        /** One read of the origin's leg, then the batch "written" (released), as at the relay's read complete. */
        void read() throws Exception {
            readBytes = reads[next].readableBytes();
            reader.feedInPlace(reads[next].retainedDuplicate(), sink);
            if (fed) {
                fed = false;
                lastMediaNanos = System.nanoTime(); // TsMedia tells the relay once per read
            }
            next = next + 1 == reads.length ? 0 : next + 1;
            writeBatch();
        }

        private void emit(ByteBuf buf, int at) {
            int splices = splicer.splices();
            splicer.packet(leg, buf, at, output);
            if (splicer.splices() != splices) {
                lastMediaNanos = System.nanoTime();
            } else if (!splicer.awaitingStart()) {
                fed = true;
            }
            if (batch != null && batch.readableBytes() >= MAX_BATCH) {
                writeBatch();
            }
        }

        private void append(ByteBuf buf, int index, int length) {
            if (batch == null) {
                int expected = Math.min(Math.max(length, readBytes), MAX_BATCH);
                batch = alloc.directBuffer(Math.max(8 * 1024, HEADROOM + expected + 2));
                batch.writerIndex(HEADROOM).readerIndex(HEADROOM);
            } else {
                batch.ensureWritable(length + 2);
            }
            bytes += length;
            batch.writeBytes(buf, index, length);
        }

        private void writeBatch() {
            if (batch != null) {
                batch.release();
                batch = null;
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            writeBatch();
            reader.close();
            leg.release();
            splicer.release();
            for (ByteBuf r : reads) {
                r.release();
            }
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("app", "live");
        props.put("type", "nonprivate");
        props.put("flashVer", "FMLE/3.0 (compatible; FMSc/1.0)");
        props.put("swfUrl", "rtmp://127.0.0.1:1935/live");
        props.put("tcUrl", "rtmp://127.0.0.1:1935/live");
        connect = RtmpCommand.of("connect", 1, props).toMessage(alloc, 3, 0);

        stun = bindingRequest("abcdEFGH:ijklMNOP");
    }

    static ByteBuf bindingRequest(String username) {
        byte[] user = username.getBytes(StandardCharsets.US_ASCII);
        int padded = (user.length + 3) & ~3;
        ByteBuf b = Unpooled.directBuffer();
        b.writeShort(0x0001).writeShort(4 + padded + 8).writeInt(0x2112A442).writeZero(12);
        b.writeShort(0x0006).writeShort(user.length).writeBytes(user).writeZero(padded - user.length);
        b.writeShort(0x8029).writeShort(4).writeInt(0x11223344); // ICE-CONTROLLED-like filler attribute
        return b;
    }

    @Benchmark
    public Object chunkDecodeVideo(Video v) {
        v.decoderChannel.writeInbound(v.encodedVideo.retainedDuplicate());
        RtmpMessage m = v.decoderChannel.readInbound();
        long ts = m.timestamp();
        m.release();
        return ts;
    }

    @Benchmark
    public int chunkEncodeVideo(Video v) {
        v.encodeOut.clear();
        v.encoder.encode(v.video, v.encodeOut);
        return v.encodeOut.readableBytes();
    }

    @Benchmark
    public long tsRelayRead(TsRelay r) throws Exception {
        r.read();
        return r.bytes;
    }

    @Benchmark
    public Object amf0ConnectDecode() {
        return RtmpCommand.decode(connect);
    }

    @Benchmark
    public String stunUsername() {
        return StunCodec.bindingRequestUsername(stun);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        connect.release();
        stun.release();
    }

    /** No arguments: 1 fork, 2 x 1 s warm-up, 5 x 1 s measurement per benchmark. Else JMH's own command line. */
    static void run(String[] args) throws Exception {
        if (args.length > 0) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        new Runner(new OptionsBuilder().include(CodecBenchmarks.class.getName())
                .forks(1).warmupIterations(2).warmupTime(TimeValue.seconds(1))
                .measurementIterations(5).measurementTime(TimeValue.seconds(1)).build()).run();
    }
}
