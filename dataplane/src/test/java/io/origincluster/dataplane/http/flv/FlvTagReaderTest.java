package io.origincluster.dataplane.http.flv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The FLV reader on input cut at every possible place, and on input that is not FLV: every tag comes out whole and
 * once, a bad stream is an error at the first bad byte, and no buffer is left unreleased either way.
 */
class FlvTagReaderTest {

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final List<ByteBuf> fed = new ArrayList<>();

    private record Seen(int type, long timestamp, byte[] data) { }

    private static final class Collect implements FlvTagReader.Sink {
        final List<Seen> tags = new ArrayList<>();
        int headers;
        int flags = -1;

        @Override
        public void header(int f) {
            headers++;
            flags = f;
        }

        @Override
        public void tag(int type, long timestamp, ByteBuf data) {
            try {
                tags.add(new Seen(type, timestamp, ByteBufUtil.getBytes(data)));
            } finally {
                data.release();
            }
        }
    }

    @AfterEach
    void everyFedBufferIsReleased() {
        for (ByteBuf b : fed) {
            assertThat(b.refCnt()).as("buffer fed to the reader").isZero();
        }
    }

    @Test
    void wholeStreamInOnePiece() throws Exception {
        byte[] flv = stream(9, tag(18, 0, script()), tag(9, 0, bytes(0x17, 0, 0, 0, 0, 1, 2)),
                tag(8, 0, bytes(0xaf, 0, 0x12, 0x10)), tag(9, 40, bytes(0x17, 1, 0, 0, 0, 9, 9, 9)),
                tag(8, 23, bytes(0xaf, 1, 5, 5)), tag(9, 0x01_23_45_67L, bytes(0x27, 1, 0, 0, 0, 7)));
        FlvTagReader r = new FlvTagReader(alloc);
        Collect c = new Collect();
        r.feed(in(flv), c);
        assertThat(c.headers).isEqualTo(1);
        assertThat(c.flags).isEqualTo(5);
        assertThat(c.tags).extracting(Seen::type).containsExactly(18, 9, 8, 9, 8, 9);
        assertThat(c.tags).extracting(Seen::timestamp).containsExactly(0L, 0L, 0L, 40L, 23L, 0x01_23_45_67L);
        assertThat(c.tags.get(3).data()).containsExactly(bytes(0x17, 1, 0, 0, 0, 9, 9, 9));
        assertThat(r.tags()).isEqualTo(6);
        assertThat(r.pendingBytes()).isZero();
        r.close();
    }

    @Test
    void everyWayOfCuttingTheStreamGivesTheSameTags() throws Exception {
        byte[] big = new byte[70_000];
        new Random(7).nextBytes(big);
        big[0] = 0x17;
        big[1] = 1;
        byte[] flv = stream(9, tag(18, 0, script()), tag(9, 0, bytes(0x17, 0, 0, 0, 0, 1, 2)),
                tag(9, 40, big), tag(8, 41, bytes(0xaf, 1)), tag(9, 80, bytes(0x27, 1, 0, 0, 0, 3)));
        Collect whole = new Collect();
        FlvTagReader one = new FlvTagReader(alloc);
        one.feed(in(flv), whole);

        // every single split point, then byte by byte, then random piece sizes
        for (int cut = 1; cut < flv.length; cut += cut < 200 ? 1 : 997) {
            Collect c = new Collect();
            FlvTagReader r = new FlvTagReader(alloc);
            r.feed(in(flv, 0, cut), c);
            r.feed(in(flv, cut, flv.length - cut), c);
            assertSame(whole, c, "cut at " + cut);
        }
        Collect bytewise = new Collect();
        FlvTagReader r = new FlvTagReader(alloc);
        for (int i = 0; i < flv.length; i++) {
            r.feed(in(flv, i, 1), bytewise);
            assertThat(r.pendingBytes()).isLessThanOrEqualTo(11 + big.length + 4);
        }
        assertSame(whole, bytewise, "byte by byte");
        Random rnd = new Random(42);
        for (int round = 0; round < 50; round++) {
            Collect c = new Collect();
            FlvTagReader rr = new FlvTagReader(alloc);
            int at = 0;
            while (at < flv.length) {
                int n = Math.min(flv.length - at, 1 + rnd.nextInt(rnd.nextBoolean() ? 20 : 20_000));
                rr.feed(in(flv, at, n), c);
                at += n;
            }
            assertSame(whole, c, "random round " + round);
            assertThat(rr.pendingBytes()).isZero();
        }
    }

    @Test
    void aLongerHeaderIsSkippedAndAZeroPreviousTagSizeIsAccepted() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes('F', 'L', 'V', 1, 1, 0, 0, 0, 12, 0xee, 0xee, 0xee, 0, 0, 0, 0));
        byte[] t = tag(9, 5, bytes(0x17, 1, 0, 0, 0));
        t[t.length - 1] = 0; // some muxers write 0
        t[t.length - 2] = 0;
        out.writeBytes(t);
        Collect c = new Collect();
        new FlvTagReader(alloc).feed(in(out.toByteArray()), c);
        assertThat(c.flags).isEqualTo(1);
        assertThat(c.tags).hasSize(1);
        assertThat(c.tags.get(0).timestamp()).isEqualTo(5);
    }

    @Test
    void notFlvIsAnErrorAtOnce() {
        Collect c = new Collect();
        assertThatThrownBy(() -> new FlvTagReader(alloc).feed(in("HTTP/1.1 200 OK\r\n\r\n".getBytes()), c))
                .isInstanceOf(FlvFormatException.class).hasMessageContaining("no FLV signature");
        assertThatThrownBy(() -> new FlvTagReader(alloc).feed(in(bytes('F', 'L', 'V', 1, 5, 0x7f, 0, 0, 0)), c))
                .isInstanceOf(FlvFormatException.class).hasMessageContaining("header size");
        assertThat(c.headers).isZero();
    }

    @Test
    void aSecondFileHeaderOrAnUnknownTagTypeIsAnError() throws Exception {
        byte[] first = stream(9, tag(9, 0, bytes(0x17, 1, 0, 0, 0)));
        FlvTagReader r = new FlvTagReader(alloc);
        Collect c = new Collect();
        r.feed(in(first), c);
        assertThatThrownBy(() -> r.feed(in(stream(9, tag(9, 40, bytes(0x27, 1)))), c))
                .isInstanceOf(FlvFormatException.class).hasMessageContaining("bad FLV tag type 0x46");
        assertThat(c.tags).hasSize(1);
        assertThatThrownBy(() -> r.feed(in(tag(9, 40, bytes(0x27, 1))), c))
                .as("a failed reader takes nothing more").isInstanceOf(FlvFormatException.class);

        byte[] encrypted = tag(9, 0, bytes(0x17, 1));
        encrypted[0] = 0x29; // the filter bit
        assertThatThrownBy(() -> new FlvTagReader(alloc).feed(in(stream(9, encrypted)), new Collect()))
                .isInstanceOf(FlvFormatException.class);
        assertThatThrownBy(() -> new FlvTagReader(alloc).feed(in(stream(9, tag(7, 0, bytes(1)))), new Collect()))
                .isInstanceOf(FlvFormatException.class);
    }

    @Test
    void aWrongPreviousTagSizeIsAnError() {
        byte[] t = tag(8, 0, bytes(0xaf, 1, 2, 3));
        t[t.length - 1] = 99;
        FlvTagReader r = new FlvTagReader(alloc);
        assertThatThrownBy(() -> r.feed(in(stream(9, t)), new Collect()))
                .isInstanceOf(FlvFormatException.class).hasMessageContaining("PreviousTagSize 99");
    }

    @Test
    void anOversizedTagIsAnErrorBeforeItIsBuffered() throws Exception {
        FlvTagReader r = new FlvTagReader(alloc, 1000);
        Collect c = new Collect();
        byte[] h = stream(9);
        r.feed(in(h), c);
        // a tag header announcing 1001 bytes of data, the data itself never sent
        byte[] head = bytes(9, 0, 0x03, 0xe9, 0, 0, 0, 0, 0, 0, 0);
        r.feed(in(head, 0, 5), c);
        assertThat(r.pendingBytes()).isEqualTo(5);
        assertThatThrownBy(() -> r.feed(in(head, 5, 6), c)).isInstanceOf(FlvFormatException.class)
                .hasMessageContaining("over the limit");
        assertThat(r.pendingBytes()).isZero();
        // at exactly the limit it is fine
        FlvTagReader ok = new FlvTagReader(alloc, 1000);
        ok.feed(in(stream(9, tag(9, 0, new byte[1000]))), c);
        assertThat(c.tags).hasSize(1);
    }

    @Test
    void closeReleasesAPartTag() throws Exception {
        FlvTagReader r = new FlvTagReader(alloc);
        byte[] flv = stream(9, tag(9, 0, new byte[5000]));
        r.feed(in(flv, 0, 3000), new Collect());
        assertThat(r.pendingBytes()).isGreaterThan(0);
        r.close();
        assertThat(r.pendingBytes()).isZero();
    }

    @Test
    void theWriterFramesOneHeaderAndCorrectSizesWhateverTheTimestamps() throws Exception {
        FlvTagWriter w = new FlvTagWriter(alloc);
        w.header(5);
        w.header(1); // a later leg's header: dropped
        w.tag(9, 1000, Unpooled.wrappedBuffer(bytes(0x17, 1, 0, 0, 0, 1)));
        w.tag(8, 0x7f00_0001L, Unpooled.wrappedBuffer(bytes(0xaf, 1, 2)));
        w.end();
        ByteBuf out = w.take();
        byte[] b = ByteBufUtil.getBytes(out);
        out.release();
        assertThat(w.take()).isNull();
        Collect c = new Collect();
        FlvTagReader r = new FlvTagReader(alloc);
        r.feed(Unpooled.wrappedBuffer(b), c);
        assertThat(c.headers).isEqualTo(1);
        assertThat(c.flags).isEqualTo(5);
        assertThat(c.tags).extracting(Seen::timestamp).containsExactly(1000L, 0x7f00_0001L);
        assertThat(r.pendingBytes()).as("the final PreviousTagSize closes the last tag").isZero();
        r.close();
        assertThat(b).hasSize(9 + 4 + 11 + 6 + 4 + 11 + 3 + 4);
        assertThat(b[b.length - 1]).isEqualTo((byte) 14);
    }

    // ---------------------------------------------------------------- building FLV

    private static void assertSame(Collect expected, Collect actual, String what) {
        assertThat(actual.headers).as(what).isEqualTo(1);
        assertThat(actual.tags).as(what).hasSameSizeAs(expected.tags);
        for (int i = 0; i < expected.tags.size(); i++) {
            Seen e = expected.tags.get(i);
            Seen a = actual.tags.get(i);
            assertThat(a.type()).as(what).isEqualTo(e.type());
            assertThat(a.timestamp()).as(what).isEqualTo(e.timestamp());
            assertThat(a.data()).as(what + " tag " + i).isEqualTo(e.data());
        }
    }

    private ByteBuf in(byte[] b) {
        return in(b, 0, b.length);
    }

    private ByteBuf in(byte[] b, int off, int len) {
        ByteBuf buf = alloc.buffer(len);
        buf.writeBytes(b, off, len);
        fed.add(buf);
        return buf;
    }

    static byte[] stream(int headerSize, byte[]... tags) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes('F', 'L', 'V', 1, 5, 0, 0, 0, headerSize, 0, 0, 0, 0));
        for (byte[] t : tags) {
            out.writeBytes(t);
        }
        return out.toByteArray();
    }

    static byte[] tag(int type, long ts, byte[] data) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(type).writeMedium(data.length).writeMedium((int) (ts & 0xffffff)).writeByte((int) (ts >>> 24))
                .writeMedium(0).writeBytes(data).writeInt(11 + data.length);
        return ByteBufUtil.getBytes(b);
    }

    static byte[] script() {
        byte[] name = "onMetaData".getBytes();
        ByteBuf b = Unpooled.buffer();
        b.writeByte(2).writeShort(name.length).writeBytes(name).writeByte(8).writeInt(0).writeShort(0).writeByte(9);
        return ByteBufUtil.getBytes(b);
    }

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }
}
