package io.origincluster.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.SplittableRandom;

/**
 * A live HTTP-TS stream as an origin delivers it to the proxy, for the splicer benchmark: 25 fps H.264 of 10-40 KB
 * per frame (keyframe every 2 s, about 5 Mbit/s), two AAC frames of ~300 bytes per video frame, PAT and PMT every
 * 100 ms and before each keyframe, cut into reads of {@link #READ} bytes (as the socket hands over the origin's merged
 * 350 ms writes: a 1 Mbit/s write is about one such read, a bigger one several), so reads end mid-packet. The stream
 * is filled up with audio (and at most one null packet) to a length that is a multiple of both the read and the
 * packet size, so it loops without a partial packet; every read is the same size.
 */
final class TsBenchStream {

    static final int READ = 44 * 1024;
    /** lcm(188, 45,056) = 2,117,632 bytes: 47 reads, 11,264 packets. */
    private static final int LOOP = READ * 47;

    private TsBenchStream() {
    }

    /** {@code loops} x 2.1 MB of stream, as reads (direct buffers of {@code alloc}); the caller releases them. */
    static ByteBuf[] reads(ByteBufAllocator alloc, int loops) {
        int length = LOOP * loops;
        ByteBuf stream = Unpooled.buffer(length);
        TsMux mux = new TsMux();
        SplittableRandom random = new SplittableRandom(15);
        byte[] aac = new byte[300];
        long lastTablesMs = -100;
        long ms = 1000;
        for (int frame = 0; ; frame++, ms += 40) {
            boolean key = frame % 50 == 0;
            byte[] nal = new byte[random.nextInt(10_000, 40_001)];
            random.nextBytes(nal);
            int room = length - stream.writerIndex();
            if (room < 2 * 188 + (nal.length + 64) / 184 * 188 + 188 + 4 * 188) {
                break;
            }
            if (key || ms - lastTablesMs >= 100) {
                mux.tables(stream);
                lastTablesMs = ms;
            }
            mux.video(stream, ms, key, nal);
            mux.audio(stream, ms, aac);
            mux.audio(stream, ms + 20, aac);
        }
        for (; length - stream.writerIndex() >= 2 * 188; ms += 20) {
            mux.audio(stream, ms, aac); // the end of the loop: audio fills what a frame would not (2 packets each)
        }
        while (stream.writerIndex() < length) {
            nullPacket(stream);
        }
        ByteBuf[] reads = new ByteBuf[length / READ];
        for (int i = 0; i < reads.length; i++) {
            reads[i] = alloc.directBuffer(READ, READ).writeBytes(stream, i * READ, READ);
        }
        return reads;
    }

    private static void nullPacket(ByteBuf out) {
        out.writeByte(0x47).writeByte(0x1f).writeByte(0xff).writeByte(0x10);
        out.writeBytes(new byte[184]);
    }
}
