package io.origincluster.dataplane.rtmp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkCodecTest {

    private static RtmpMessage msg(int csid, int type, long ts, int sid, int size, int seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return new RtmpMessage(csid, type, ts, sid, Unpooled.wrappedBuffer(b));
    }

    /** Encodes with one encoder, feeds the bytes in small random pieces, and returns what the decoder produced. */
    private static List<RtmpMessage> roundTrip(ChunkEncoder enc, ChunkDecoder dec, List<RtmpMessage> in) {
        ByteBuf wire = Unpooled.buffer();
        for (RtmpMessage m : in) {
            enc.encode(m, wire);
        }
        EmbeddedChannel ch = new EmbeddedChannel(dec);
        Random r = new Random(1);
        while (wire.isReadable()) {
            ch.writeInbound(wire.readRetainedSlice(Math.min(wire.readableBytes(), 1 + r.nextInt(300))));
        }
        wire.release();
        List<RtmpMessage> out = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            out.add((RtmpMessage) o);
        }
        ch.finishAndReleaseAll();
        return out;
    }

    private static void assertSame(RtmpMessage expected, RtmpMessage actual) {
        assertThat(actual.chunkStreamId()).isEqualTo(expected.chunkStreamId());
        assertThat(actual.type()).isEqualTo(expected.type());
        assertThat(actual.timestamp()).isEqualTo(expected.timestamp());
        assertThat(actual.streamId()).isEqualTo(expected.streamId());
        assertThat(ByteBufUtil.equals(actual.payload(), expected.payload())).isTrue();
    }

    @Test
    void roundTripsAllHeaderFormsExtendedTimestampsLargeCsidsAndChunkSizeChanges() {
        ChunkEncoder enc = new ChunkEncoder();
        ChunkDecoder dec = new ChunkDecoder();
        List<RtmpMessage> in = List.of(
                msg(3, 20, 0, 0, 200, 1),
                msg(6, 9, 40, 1, 5000, 2),         // fmt 0, multi-chunk
                msg(6, 9, 80, 1, 5000, 3),         // fmt 2 (same type and length)
                msg(6, 9, 120, 1, 17, 4),          // fmt 1
                msg(4, 8, 0x1000000, 1, 300, 5),   // extended timestamp, multi-chunk
                msg(4, 8, 0x1000010, 1, 300, 6),
                msg(70, 8, 5, 1, 10, 7),           // two-byte basic header
                msg(400, 8, 5, 1, 10, 8),          // three-byte basic header
                msg(6, 9, 100, 1, 1, 9),           // timestamp going back: fmt 0
                msg(5, 18, 0, 1, 0, 10));          // empty payload
        List<RtmpMessage> all = new ArrayList<>(in);
        all.add(5, ControlMessages.setChunkSize(Unpooled.buffer().alloc(), 4096));
        all.add(msg(6, 9, 200, 1, 20000, 11));
        List<RtmpMessage> out = roundTrip(enc, dec, all);
        assertThat(out).hasSize(all.size());
        for (int i = 0; i < all.size(); i++) {
            assertSame(all.get(i), out.get(i));
        }
        assertThat(dec.chunkSize()).isEqualTo(4096);
        assertThat(enc.chunkSize()).isEqualTo(4096);
        out.forEach(RtmpMessage::release);
        all.forEach(RtmpMessage::release);
    }

    @Test
    void decodesInterleavedChunkStreamsAndAbort() {
        // csid 4 message of 300 bytes interleaved with a csid 5 message; then csid 4 is aborted mid-message.
        ByteBuf wire = Unpooled.buffer();
        wire.writeByte(4).writeMedium(10).writeMedium(300).writeByte(9).writeIntLE(1).writeZero(128);
        wire.writeByte(5).writeMedium(20).writeMedium(3).writeByte(8).writeIntLE(1).writeBytes(new byte[]{1, 2, 3});
        wire.writeByte(0xC4).writeZero(128);
        wire.writeByte(0xC4).writeZero(44);
        wire.writeByte(4).writeMedium(0).writeMedium(300).writeByte(9).writeIntLE(1).writeZero(128);
        wire.writeByte(2).writeMedium(0).writeMedium(4).writeByte(RtmpMessage.ABORT).writeIntLE(0).writeInt(4);
        wire.writeByte(4).writeMedium(50).writeMedium(2).writeByte(9).writeIntLE(1).writeShort(7);
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkDecoder());
        ch.writeInbound(wire);
        RtmpMessage a = ch.readInbound();
        RtmpMessage b = ch.readInbound();
        RtmpMessage abort = ch.readInbound();
        RtmpMessage c = ch.readInbound();
        assertThat(a.chunkStreamId()).isEqualTo(5);
        assertThat(b.chunkStreamId()).isEqualTo(4);
        assertThat(b.payload().readableBytes()).isEqualTo(300);
        assertThat(abort.type()).isEqualTo(RtmpMessage.ABORT);
        assertThat(c.chunkStreamId()).isEqualTo(4);
        assertThat(c.payload().readableBytes()).isEqualTo(2);
        assertThat(c.timestamp()).isEqualTo(50);
        a.release();
        b.release();
        abort.release();
        c.release();
        assertThat(ch.finish()).isFalse();
    }

    private static void assertRejected(ChunkDecoder dec, ByteBuf wire, String message) {
        EmbeddedChannel ch = new EmbeddedChannel(dec);
        assertThatThrownBy(() -> ch.writeInbound(wire)).isInstanceOf(DecoderException.class)
                .hasMessageContaining(message);
        // after the error the decoder swallows input instead of parsing garbage
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[]{3, 0, 0}));
        assertThat((Object) ch.readInbound()).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void rejectsAStreamThatStartsWithoutAFullHeader() {
        assertRejected(new ChunkDecoder(), Unpooled.wrappedBuffer(new byte[]{(byte) 0xC3, 1, 2, 3}), "starts with fmt 3");
        assertRejected(new ChunkDecoder(), Unpooled.wrappedBuffer(new byte[]{(byte) 0x83, 0, 0, 0, 1}), "starts with fmt 2");
    }

    @Test
    void rejectsOversizedChunkSizeMessageAndTooManyChunkStreams() {
        ByteBuf big = Unpooled.buffer().writeByte(2).writeMedium(0).writeMedium(4).writeByte(1).writeIntLE(0)
                .writeInt(0x7FFFFFFF);
        assertRejected(new ChunkDecoder(), big, "chunk size");
        ByteBuf zero = Unpooled.buffer().writeByte(2).writeMedium(0).writeMedium(4).writeByte(1).writeIntLE(0)
                .writeInt(0);
        assertRejected(new ChunkDecoder(), zero, "chunk size");
        ByteBuf huge = Unpooled.buffer().writeByte(3).writeMedium(0).writeMedium(0xFFFFFF).writeByte(9).writeIntLE(1);
        assertRejected(new ChunkDecoder(), huge, "exceeds");
        ByteBuf many = Unpooled.buffer();
        for (int i = 3; i < 3 + 60; i++) {
            many.writeByte(i).writeMedium(0).writeMedium(200).writeByte(9).writeIntLE(1).writeZero(128);
        }
        assertRejected(new ChunkDecoder(new ChunkLimits(65536, 1 << 20, 8)), many, "chunk streams");
        ByteBuf shortControl = Unpooled.buffer().writeByte(2).writeMedium(0).writeMedium(2).writeByte(1)
                .writeIntLE(0).writeShort(1);
        assertRejected(new ChunkDecoder(), shortControl, "shorter than 4");
    }

    @Test
    void garbageIsRejectedOrWaitedForButNeverBufferedBeyondOneChunk() {
        Random r = new Random(42);
        for (int round = 0; round < 200; round++) {
            byte[] junk = new byte[1 + r.nextInt(2000)];
            r.nextBytes(junk);
            EmbeddedChannel ch = new EmbeddedChannel(new ChunkDecoder(new ChunkLimits(65536, 1 << 16, 8)));
            try {
                ch.writeInbound(Unpooled.wrappedBuffer(junk));
            } catch (DecoderException expected) {
                // a clean protocol error is the expected outcome for most garbage
            }
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void partialMessagesAreReleasedWhenTheChannelCloses() {
        ByteBuf wire = Unpooled.buffer().writeByte(4).writeMedium(0).writeMedium(1000).writeByte(9).writeIntLE(1)
                .writeZero(128);
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkDecoder());
        ch.writeInbound(wire);
        assertThat(wire.refCnt()).isZero();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void pipelineEncoderWritesPayloadSlicesThatDecodeToTheSameMessages() {
        EmbeddedChannel out = new EmbeddedChannel(new ChunkEncoder());
        List<RtmpMessage> in = List.of(
                msg(4, 9, 10, 1, 100, 1),                  // copied
                msg(4, 9, 20, 1, 5000, 2),                 // sliced, 40 chunks of 128
                ControlMessages.setChunkSize(Unpooled.buffer().alloc(), 3000),
                msg(5, 8, 0x1000000, 1, 7000, 3),          // sliced, extended timestamp on every chunk
                msg(5, 8, 0x1000040, 1, 7000, 4));
        List<byte[]> expected = new ArrayList<>();
        for (RtmpMessage m : in) {
            expected.add(ByteBufUtil.getBytes(m.payload()));
            out.writeOutbound(m.retain());
        }
        ByteBuf wire = Unpooled.buffer();
        for (Object o; (o = out.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            wire.writeBytes(b);
            b.release();
        }
        for (RtmpMessage m : in) {
            assertThat(m.refCnt()).as("slices released with the written buffers").isEqualTo(1);
            m.release();
        }
        EmbeddedChannel dec = new EmbeddedChannel(new ChunkDecoder());
        dec.writeInbound(wire);
        for (int i = 0; i < in.size(); i++) {
            RtmpMessage m = dec.readInbound();
            assertThat(m.chunkStreamId()).isEqualTo(in.get(i).chunkStreamId());
            assertThat(m.timestamp()).isEqualTo(in.get(i).timestamp());
            assertThat(ByteBufUtil.getBytes(m.payload())).isEqualTo(expected.get(i));
            m.release();
        }
        assertThat(out.finish()).isFalse();
        assertThat(dec.finish()).isFalse();
    }
}
