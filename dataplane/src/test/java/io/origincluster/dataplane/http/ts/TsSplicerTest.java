package io.origincluster.dataplane.http.ts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * TS packets across a splice, built byte by byte: framing of cut input, the splice point (PAT, PMT, keyframe PES),
 * the discontinuity indicator on each PID's first packet, and PTS/DTS/PCR moved by one offset.
 */
class TsSplicerTest {

    private static final int VIDEO = 0x100;
    private static final int AUDIO = 0x101;
    private static final int PMT = 0x1000;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final List<ByteBuf> out = new ArrayList<>();
    private final List<ByteBuf> toRelease = new ArrayList<>();

    @AfterEach
    void release() {
        out.forEach(ByteBuf::release);
        toRelease.forEach(ByteBuf::release);
    }

    // ---------------------------------------------------------------- reader

    @Test
    void theReaderCutsPacketsAtAnyPieceSize() throws Exception {
        byte[] stream = concat(pat(0), pmt(0), videoPes(0, 90_000, 87_000, true, 5), cont(VIDEO, 1),
                audioPes(0, 90_500), cont(VIDEO, 2));
        for (int piece : new int[] {1, 7, 187, 188, 189, 376, 1000}) {
            TsPacketReader r = new TsPacketReader(alloc);
            List<byte[]> got = new ArrayList<>();
            for (int at = 0; at < stream.length; at += piece) {
                ByteBuf in = alloc.buffer();
                in.writeBytes(stream, at, Math.min(piece, stream.length - at));
                PerPacket.feed(r, in, p -> {
                    got.add(ByteBufUtil.getBytes(p));
                    p.release();
                });
            }
            assertThat(got).as("piece " + piece).hasSize(6);
            assertThat(got.get(2)).isEqualTo(Arrays.copyOfRange(stream, 376, 564));
            assertThat(r.pendingBytes()).isZero();
        }
    }

    @Test
    void aLostSyncByteIsAnError() throws Exception {
        byte[] stream = concat(pat(0), pmt(0));
        stream[188] = 0x46;
        TsPacketReader r = new TsPacketReader(alloc);
        ByteBuf first = alloc.buffer().writeBytes(stream, 0, 200);
        assertThatThrownBy(() -> PerPacket.feed(r, first, ByteBuf::release)).isInstanceOf(TsFormatException.class)
                .hasMessageContaining("lost TS sync after 1 packets");
        assertThat(first.refCnt()).isZero();
        assertThat(r.pendingBytes()).isZero();
        ByteBuf more = alloc.buffer().writeBytes(stream, 200, 100);
        assertThatThrownBy(() -> PerPacket.feed(r, more, ByteBuf::release)).isInstanceOf(TsFormatException.class);
        assertThat(more.refCnt()).isZero();
        // a part packet is held (bounded by one packet) and released on close
        TsPacketReader r2 = new TsPacketReader(alloc);
        PerPacket.feed(r2, alloc.buffer().writeBytes(pat(0), 0, 100), ByteBuf::release);
        assertThat(r2.pendingBytes()).isEqualTo(100);
        byte[] notTs = new byte[188];
        assertThatThrownBy(() -> PerPacket.feed(new TsPacketReader(alloc), Unpooled.wrappedBuffer(notTs),
                ByteBuf::release))
                .isInstanceOf(TsFormatException.class);
        r2.close();
    }

    // ---------------------------------------------------------------- splicer

    @Test
    void beforeASplicePacketsPassAsTheyAreOnceTheirPesIsComplete() {
        TsSplicer s = new TsSplicer(alloc);
        TsSplicer.LegState leg = new TsSplicer.LegState();
        List<ByteBuf> in = new ArrayList<>();
        for (byte[] p : List.of(pat(0), pmt(0), videoPes(0, 90_000, 87_000, true, 5), cont(VIDEO, 1),
                sizedAudioPes(0, 88_000), videoPes(2, 93_600, 90_600, false, 1))) {
            ByteBuf b = Unpooled.wrappedBuffer(p);
            in.add(b);
            leg.observe(b, b.readerIndex(), alloc);
            PerPacket.packet(s, leg, b, out::add);
        }
        // tables at once; audio as soon as its PES_packet_length is reached; the video PES once the next starts
        assertThat(out).hasSize(5);
        assertThat(out.get(0)).isSameAs(in.get(0));
        assertThat(out.get(1)).isSameAs(in.get(1));
        assertThat(out.get(2)).isSameAs(in.get(4));
        assertThat(out.get(3)).isSameAs(in.get(2));
        assertThat(out.get(4)).isSameAs(in.get(3));
        assertThat(s.lastDts()).isEqualTo(90_600);
        s.release();
        leg.release();
    }

    @Test
    void aPesTheOldLegLeftIncompleteNeverReachesTheClient() {
        TsSplicer s = new TsSplicer(alloc);
        TsSplicer.LegState first = new TsSplicer.LegState();
        feed(s, first, pat(0), pmt(0), videoPes(0, 90_000, 87_000, true, 5), cont(VIDEO, 1));
        assertThat(out).hasSize(2);
        s.splice(); // the origin died in the middle of that frame
        TsSplicer.LegState second = new TsSplicer.LegState();
        feed(s, second, pat(5), pmt(5), videoPes(7, 1000, 1000, true, 5), videoPes(8, 4600, 4600, false, 1));
        List<byte[]> got = out.stream().map(ByteBufUtil::getBytes).toList();
        assertThat(got).extracting(TsSplicerTest::pidOf).containsExactly(0, PMT, 0, 0, PMT, PMT, VIDEO);
        assertThat(ptsAt(got.get(6), payloadAt(got.get(6)) + 14)).isEqualTo(87_000 + 3600);
        s.release();
        first.release();
        second.release();
    }

    @Test
    void aSpliceStartsAtPatPmtAndAKeyframeWithTimestampsContinuingAndDiscontinuitiesMarked() {
        TsSplicer s = new TsSplicer(alloc);
        TsSplicer.LegState first = new TsSplicer.LegState();
        feed(s, first, pat(3), pmt(3), videoPes(3, 90_000, 87_000, true, 5), cont(VIDEO, 4),
                videoPes(5, 93_600, 90_600, false, 1), audioPes(7, 91_000));
        out.forEach(ByteBuf::release);
        out.clear();
        assertThat(s.lastDts()).isEqualTo(91_000);

        s.splice();
        TsSplicer.LegState second = new TsSplicer.LegState();
        // mid-GOP video, audio, then the tables, then a keyframe with a PCR, then audio mid-PES and a new PES
        feed(s, second, videoPes(9, 5_000_000, 4_997_000, false, 1), audioPes(2, 4_999_000), pat(11), pmt(11));
        assertThat(out).as("nothing before the splice point").isEmpty();
        feed(s, second, videoPesWithPcr(12, 5_003_600, 5_000_600, 4_990_000), cont(AUDIO, 3), audioPes(4, 5_001_000),
                cont(VIDEO, 13), videoPes(14, 5_007_200, 5_004_200, false, 1), audioPes(5, 5_003_000));

        long offset = s.offset();
        assertThat((5_000_600 + offset) % (1L << 33)).as("keyframe DTS = last DTS + one frame")
                .isEqualTo(91_000 + 3600);
        List<byte[]> got = out.stream().map(ByteBufUtil::getBytes).toList();
        assertThat(got).extracting(TsSplicerTest::pidOf)
                .containsExactly(0, 0, PMT, PMT, VIDEO, VIDEO, AUDIO, AUDIO);
        // PAT and PMT have no adaptation field: an adaptation-field-only packet marks each
        assertThat(isAfOnlyDiscontinuity(got.get(0))).isTrue();
        assertThat(got.get(1)).isEqualTo(pat(11));
        assertThat(isAfOnlyDiscontinuity(got.get(2))).isTrue();
        assertThat(ccOf(got.get(2))).isEqualTo(10);
        // the keyframe already has an adaptation field: the flag is set in it, PCR and PTS/DTS shifted
        byte[] key = got.get(4);
        assertThat(key[5] & 0x80).as("discontinuity_indicator").isEqualTo(0x80);
        assertThat(key[5] & 0x40).as("random_access_indicator kept").isEqualTo(0x40);
        assertThat(pcrOf(key)).isEqualTo((4_990_000L + offset) * 300 % ((1L << 33) * 300));
        assertThat(ptsAt(key, payloadAt(key) + 9)).isEqualTo((5_003_600 + offset) % (1L << 33));
        assertThat(ptsAt(key, payloadAt(key) + 14)).isEqualTo(91_000 + 3600);
        assertThat(got.get(5)).as("a continuation after the start passes unchanged").isEqualTo(cont(VIDEO, 13));
        // audio: the continuation of a PES begun before the splice point is dropped; the next PES starts it
        assertThat(isAfOnlyDiscontinuity(got.get(6))).isTrue();
        assertThat(ptsAt(got.get(7), 4 + 9)).isEqualTo((5_001_000 + offset) % (1L << 33));
        assertThat(s.splices()).isEqualTo(1);
        assertThat(s.awaitingStart()).isFalse();
        s.release();
        first.release();
        second.release();
    }

    @Test
    void withoutAKeyframeNothingOfTheNewLegIsSent() {
        TsSplicer s = new TsSplicer(alloc);
        TsSplicer.LegState leg = new TsSplicer.LegState();
        s.splice();
        feed(s, leg, pat(0), pmt(0), videoPes(1, 1000, 1000, false, 1), audioPes(0, 1000), cont(VIDEO, 2));
        assertThat(out).isEmpty();
        feed(s, leg, videoPes(3, 4600, 4600, false, 5)); // no RAI, but an IDR NAL unit
        assertThat(out).isNotEmpty();
        assertThat(s.offset()).as("nothing sent before: the leg keeps its own time").isZero();
        s.release();
        leg.release();
    }

    private void feed(TsSplicer s, TsSplicer.LegState leg, byte[]... packets) {
        for (byte[] p : packets) {
            ByteBuf b = alloc.buffer(188).writeBytes(p);
            ByteBuf slice = b.retainedSlice();
            b.release();
            leg.observe(slice, slice.readerIndex(), alloc);
            PerPacket.packet(s, leg, slice, out::add);
        }
    }

    // ---------------------------------------------------------------- building TS

    private static byte[] packet(int pid, boolean pusi, int cc, byte[] af, byte[] payload) {
        byte[] p = new byte[188];
        p[0] = 0x47;
        p[1] = (byte) ((pusi ? 0x40 : 0) | (pid >> 8));
        p[2] = (byte) pid;
        int afc = (af != null ? 2 : 0) | 1;
        p[3] = (byte) ((afc << 4) | (cc & 0x0f));
        int at = 4;
        int room = 184 - payload.length;
        if (af != null) {
            // the adaptation field takes what the payload leaves (stuffing)
            p[4] = (byte) (room - 1);
            System.arraycopy(af, 0, p, 5, af.length);
            Arrays.fill(p, 5 + af.length, 4 + room, (byte) 0xff);
            at = 4 + room;
        } else if (room != 0) {
            throw new IllegalArgumentException("payload must fill a packet without adaptation field");
        }
        System.arraycopy(payload, 0, p, at, payload.length);
        return p;
    }

    private static byte[] section(int tableId, int pidOrExt, byte[] body) {
        byte[] s = new byte[3 + 5 + body.length + 4];
        int len = 5 + body.length + 4;
        s[0] = (byte) tableId;
        s[1] = (byte) (0xb0 | (len >> 8));
        s[2] = (byte) len;
        s[3] = (byte) (pidOrExt >> 8);
        s[4] = (byte) pidOrExt;
        s[5] = (byte) 0xc1;
        System.arraycopy(body, 0, s, 8, body.length);
        return s;
    }

    private static byte[] psi(int pid, int cc, byte[] section) {
        byte[] payload = new byte[184];
        Arrays.fill(payload, (byte) 0xff);
        payload[0] = 0;
        System.arraycopy(section, 0, payload, 1, section.length);
        return packet(pid, true, cc, null, payload);
    }

    static byte[] pat(int cc) {
        return psi(0, cc, section(0, 1, new byte[] {0, 1, (byte) (0xe0 | (PMT >> 8)), (byte) PMT}));
    }

    static byte[] pmt(int cc) {
        byte[] body = {(byte) (0xe0 | (VIDEO >> 8)), (byte) VIDEO, (byte) 0xf0, 0,
                0x1b, (byte) (0xe0 | (VIDEO >> 8)), (byte) VIDEO, (byte) 0xf0, 0,
                0x0f, (byte) (0xe0 | (AUDIO >> 8)), (byte) AUDIO, (byte) 0xf0, 0};
        return psi(PMT, cc, section(2, 1, body));
    }

    private static byte[] pes(int streamId, long pts, long dts, int nal) {
        boolean both = dts >= 0;
        byte[] h = new byte[9 + (both ? 10 : 5) + 5];
        h[2] = 1;
        h[3] = (byte) streamId;
        h[6] = (byte) 0x80;
        h[7] = (byte) (both ? 0xc0 : 0x80);
        h[8] = (byte) (both ? 10 : 5);
        writeTs(h, 9, both ? 3 : 2, pts);
        if (both) {
            writeTs(h, 14, 1, dts);
        }
        int at = h.length - 5;
        h[at + 2] = 0;
        h[at + 3] = 1;
        h[at + 4] = (byte) (nal == 5 ? 0x65 : 0x41);
        return h;
    }

    static byte[] videoPes(int cc, long pts, long dts, boolean rai, int nal) {
        byte[] payload = pes(0xe0, pts, dts, nal);
        return packet(VIDEO, true, cc, new byte[] {(byte) (rai ? 0x40 : 0)}, payload);
    }

    static byte[] videoPesWithPcr(int cc, long pts, long dts, long pcrBase) {
        byte[] af = new byte[7];
        af[0] = 0x50; // random access + PCR
        af[1] = (byte) (pcrBase >> 25);
        af[2] = (byte) (pcrBase >> 17);
        af[3] = (byte) (pcrBase >> 9);
        af[4] = (byte) (pcrBase >> 1);
        af[5] = (byte) (((pcrBase & 1) << 7) | 0x7e);
        af[6] = 0;
        return packet(VIDEO, true, cc, af, pes(0xe0, pts, dts, 5));
    }

    static byte[] audioPes(int cc, long pts) {
        byte[] payload = new byte[184];
        byte[] h = pes(0xc0, pts, -1, 1);
        System.arraycopy(h, 0, payload, 0, h.length);
        return packet(AUDIO, true, cc, null, payload);
    }

    /** An audio PES with its PES_packet_length set, whole in one packet. */
    static byte[] sizedAudioPes(int cc, long pts) {
        byte[] p = audioPes(cc, pts);
        p[4 + 4] = 0;
        p[4 + 5] = (byte) (184 - 6);
        return p;
    }

    static byte[] cont(int pid, int cc) {
        byte[] payload = new byte[184];
        Arrays.fill(payload, (byte) 0x33);
        return packet(pid, false, cc, null, payload);
    }

    private static void writeTs(byte[] b, int i, int prefix, long v) {
        b[i] = (byte) ((prefix << 4) | ((v >> 29) & 0x0e) | 1);
        b[i + 1] = (byte) (v >> 22);
        b[i + 2] = (byte) (((v >> 14) & 0xfe) | 1);
        b[i + 3] = (byte) (v >> 7);
        b[i + 4] = (byte) (((v << 1) & 0xfe) | 1);
    }

    private static long ptsAt(byte[] p, int i) {
        return (((long) p[i] >> 1) & 7) << 30 | ((long) (p[i + 1] & 0xff)) << 22 | ((long) (p[i + 2] & 0xfe)) << 14
                | ((long) (p[i + 3] & 0xff)) << 7 | ((p[i + 4] & 0xfe) >> 1);
    }

    private static long pcrOf(byte[] p) {
        long base = ((p[6] & 0xffL) << 25) | ((p[7] & 0xffL) << 17) | ((p[8] & 0xffL) << 9) | ((p[9] & 0xffL) << 1)
                | ((p[10] & 0xff) >> 7);
        long ext = ((p[10] & 1L) << 8) | (p[11] & 0xff);
        return base * 300 + ext;
    }

    private static int payloadAt(byte[] p) {
        return ((p[3] >> 4) & 2) != 0 ? 5 + (p[4] & 0xff) : 4;
    }

    private static int pidOf(byte[] p) {
        return ((p[1] & 0x1f) << 8) | (p[2] & 0xff);
    }

    private static int ccOf(byte[] p) {
        return p[3] & 0x0f;
    }

    private static boolean isAfOnlyDiscontinuity(byte[] p) {
        return p[0] == 0x47 && (p[1] & 0x40) == 0 && ((p[3] >> 4) & 3) == 2 && (p[4] & 0xff) == 183
                && (p[5] & 0xff) == 0x80;
    }

    private static byte[] concat(byte[]... ps) {
        byte[] all = new byte[ps.length * 188];
        for (int i = 0; i < ps.length; i++) {
            System.arraycopy(ps[i], 0, all, i * 188, 188);
        }
        return all;
    }
}
