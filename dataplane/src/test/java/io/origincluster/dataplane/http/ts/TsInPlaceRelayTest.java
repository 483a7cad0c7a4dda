package io.origincluster.dataplane.http.ts;

import static io.origincluster.dataplane.http.ts.TsSplicerTest.audioPes;
import static io.origincluster.dataplane.http.ts.TsSplicerTest.cont;
import static io.origincluster.dataplane.http.ts.TsSplicerTest.pat;
import static io.origincluster.dataplane.http.ts.TsSplicerTest.pmt;
import static io.origincluster.dataplane.http.ts.TsSplicerTest.sizedAudioPes;
import static io.origincluster.dataplane.http.ts.TsSplicerTest.videoPes;
import static io.origincluster.dataplane.http.ts.TsSplicerTest.videoPesWithPcr;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.origincluster.dataplane.testpeers.LeakWatch;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The relay's path: packets read where they lie in the origin's reads ({@link TsPacketReader#feedInPlace}) and a held
 * PES kept as runs of those reads. Reads cut anywhere, PIDs interleaved, a PES over two reads: the client gets the
 * same bytes, every read is released once nothing needs it, and the origin's bytes are never written.
 */
class TsInPlaceRelayTest {

    private static final int VIDEO = 0x100;
    private static final int AUDIO = 0x101;
    private static LeakWatch leaks;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;

    @BeforeAll
    static void watchLeaks() {
        leaks = new LeakWatch();
    }

    @AfterAll
    static void noLeaks() throws InterruptedException {
        try {
            assertThat(leaks.leaks()).isEmpty();
        } finally {
            leaks.close();
        }
    }

    /** What the client got: its bytes, and each hand-over's length. */
    private static final class Client implements TsSplicer.RunOutput {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<Integer> runs = new ArrayList<>();

        @Override
        public void packets(ByteBuf buf, int index, int length) {
            assertThat(length % 188).isZero();
            bytes.write(ByteBufUtil.getBytes(buf, index, length), 0, length);
            runs.add(length);
        }
    }

    /** One origin leg: its reader and state, and every read it was given (kept to check refcounts and bytes). */
    private final class Leg {
        final TsPacketReader reader = new TsPacketReader(alloc);
        final TsSplicer.LegState state = new TsSplicer.LegState();
        final List<ByteBuf> reads = new ArrayList<>();
        final List<byte[]> sent = new ArrayList<>();

        void feed(TsSplicer s, Client client, byte[] stream, int piece) throws TsFormatException {
            for (int at = 0; at < stream.length; at += piece) {
                ByteBuf in = alloc.directBuffer(piece).writeBytes(stream, at, Math.min(piece, stream.length - at));
                reads.add(in.retain()); // ours, to look at afterwards; the reader releases its own
                sent.add(ByteBufUtil.getBytes(in));
                reader.feedInPlace(in, (buf, i) -> {
                    state.observe(buf, i, alloc);
                    s.packet(state, buf, i, client);
                });
            }
        }

        /** Every read unchanged, and released by the relay (only our own reference is left), then released. */
        void checkAndRelease() {
            for (int i = 0; i < reads.size(); i++) {
                assertThat(ByteBufUtil.getBytes(reads.get(i), 0, sent.get(i).length)).as("read " + i + " unchanged")
                        .isEqualTo(sent.get(i));
                assertThat(reads.get(i).refCnt()).as("read " + i).isEqualTo(1);
                reads.get(i).release();
            }
            reader.close();
            state.release();
        }
    }

    @Test
    void aFrameWholeInOneReadLeavesAsOneRun() throws Exception {
        TsSplicer s = new TsSplicer(alloc);
        Client client = new Client();
        Leg leg = new Leg();
        byte[] frame = concat(videoPes(0, 90_000, 87_000, true, 5), cont(VIDEO, 1), cont(VIDEO, 2), cont(VIDEO, 3));
        leg.feed(s, client, concat(pat(0), pmt(0), frame, videoPes(4, 93_600, 90_600, false, 1)), 100_000);
        assertThat(client.runs).containsExactly(188, 188, 4 * 188);
        assertThat(client.bytes.toByteArray()).isEqualTo(concat(pat(0), pmt(0), frame));
        assertThat(leg.reads.get(0).refCnt()).as("the next frame is held: the read with it").isEqualTo(2);
        s.release();
        leg.checkAndRelease();
    }

    @Test
    void aPesOverTwoReadsWithAPacketCutBetweenThemLeavesWholeAndInOrder() throws Exception {
        TsSplicer s = new TsSplicer(alloc);
        Client client = new Client();
        Leg leg = new Leg();
        byte[] frame = concat(videoPes(0, 90_000, 87_000, true, 5), cont(VIDEO, 1), cont(VIDEO, 2), cont(VIDEO, 3));
        byte[] stream = concat(pat(0), pmt(0), frame, videoPes(4, 93_600, 90_600, false, 1));
        int cut = 3 * 188 + 100; // inside the frame's second packet
        byte[] first = java.util.Arrays.copyOfRange(stream, 0, cut);
        leg.feed(s, client, first, first.length);
        assertThat(client.runs).as("the frame is held").containsExactly(188, 188);
        leg.feed(s, client, java.util.Arrays.copyOfRange(stream, cut, stream.length), stream.length);
        // from the first read, the packet gathered over the cut, the rest from the second read
        assertThat(client.runs).containsExactly(188, 188, 188, 188, 2 * 188);
        assertThat(client.bytes.toByteArray()).isEqualTo(concat(pat(0), pmt(0), frame));
        assertThat(leg.reads.get(0).refCnt()).as("nothing held from the first read").isEqualTo(1);
        s.release();
        leg.checkAndRelease();
    }

    @Test
    void interleavedStreamsLeaveAsWholePesInTheOrderTheyComplete() throws Exception {
        TsSplicer s = new TsSplicer(alloc);
        Client client = new Client();
        Leg leg = new Leg();
        byte[] v0 = videoPes(0, 90_000, 87_000, true, 5);
        byte[] a0 = audioPes(0, 88_000);
        leg.feed(s, client, concat(pat(0), pmt(0), v0, a0, cont(VIDEO, 1), cont(AUDIO, 1), cont(VIDEO, 2),
                sizedAudioPes(2, 89_000), audioPes(3, 90_000), videoPes(3, 93_600, 90_600, false, 1)), 100_000);
        // a0 ends where the sized audio PES starts, which is whole at once; v0 ends where the next video PES starts
        assertThat(client.bytes.toByteArray()).isEqualTo(concat(pat(0), pmt(0), a0, cont(AUDIO, 1),
                sizedAudioPes(2, 89_000), v0, cont(VIDEO, 1), cont(VIDEO, 2)));
        assertThat(client.runs).containsExactly(188, 188, 188, 188, 188, 188, 188, 188);
        s.release();
        leg.checkAndRelease();
    }

    @Test
    void theClientGetsTheSameBytesWhereverTheReadsAreCutAcrossASplice() throws Exception {
        byte[] before = concat(pat(3), pmt(3), videoPes(3, 90_000, 87_000, true, 5), cont(VIDEO, 4), cont(VIDEO, 5),
                audioPes(7, 91_000), cont(AUDIO, 8), videoPes(6, 93_600, 90_600, false, 1), cont(VIDEO, 7));
        byte[] after = concat(videoPes(9, 5_000_000, 4_997_000, false, 1), audioPes(2, 4_999_000), pat(11), pmt(11),
                videoPesWithPcr(12, 5_003_600, 5_000_600, 4_990_000), cont(AUDIO, 3), audioPes(4, 5_001_000),
                cont(VIDEO, 13), cont(VIDEO, 14), videoPes(15, 5_007_200, 5_004_200, false, 1),
                audioPes(5, 5_003_000), cont(VIDEO, 0));
        byte[] expected = null;
        for (int piece : new int[] {188, 1, 100, 187, 189, 376, 1000, 45_056}) {
            TsSplicer s = new TsSplicer(alloc);
            Client client = new Client();
            Leg first = new Leg();
            first.feed(s, client, before, piece);
            s.splice(); // the origin died inside the last video PES: dropped, with the reads it held
            Leg second = new Leg();
            second.feed(s, client, after, piece);
            assertThat(s.splices()).isEqualTo(1);
            s.release();
            first.checkAndRelease();
            second.checkAndRelease();
            byte[] got = client.bytes.toByteArray();
            if (expected == null) {
                expected = got;
                assertThat(got.length).isEqualTo(188 * 14); // 5 packets from the first leg, 9 from the second
            }
            assertThat(got).as("reads of " + piece).isEqualTo(expected);
        }
    }

    @Test
    void rebasedPacketsStayIntactWhileTheScratchBufferTheyWereCopiedToIsReplaced() throws Exception {
        TsSplicer s = new TsSplicer(alloc);
        Client client = new Client();
        Leg first = new Leg();
        first.feed(s, client, concat(pat(0), pmt(0), videoPes(0, 90_000, 87_000, true, 5),
                videoPes(1, 93_600, 90_600, false, 1)), 100_000);
        s.splice();
        int sentBefore = client.bytes.size();
        // after the splice every PES header is rebased: the keyframe's copy is held while 40 audio copies pass
        List<byte[]> after = new ArrayList<>(
                List.of(pat(1), pmt(1), videoPesWithPcr(2, 5_003_600, 5_000_600, 4_990_000)));
        for (int i = 0; i < 40; i++) {
            after.add(sizedAudioPes(i, 5_000_000 + i * 1920L));
        }
        after.add(cont(VIDEO, 3));
        after.add(videoPes(4, 5_007_200, 5_004_200, false, 1));
        Leg second = new Leg();
        second.feed(s, client, concat(after.toArray(byte[][]::new)), 100_000);
        long offset = s.offset();
        ByteBuf got = io.netty.buffer.Unpooled.wrappedBuffer(client.bytes.toByteArray());
        List<Long> audio = new ArrayList<>();
        List<Integer> video = new ArrayList<>();
        for (int at = sentBefore; at < got.writerIndex(); at += 188) {
            int pid = TsSplicer.pid(got.getInt(at));
            if (pid == AUDIO && TsSplicer.pusi(got, at)) {
                audio.add(TsSplicer.pesDts(got, at));
            } else if (pid == VIDEO) {
                video.add(at);
            }
        }
        assertThat(audio).hasSize(40);
        for (int i = 0; i < 40; i++) {
            assertThat(audio.get(i)).isEqualTo((5_000_000 + i * 1920L + offset) % (1L << 33));
        }
        assertThat(video).hasSize(2);
        assertThat(TsSplicer.pesDts(got, video.get(0))).as("last DTS + one frame").isEqualTo(90_600 + 3600);
        assertThat(got.getUnsignedByte(video.get(0) + 5) & 0xc0).as("discontinuity and random access").isEqualTo(0xc0);
        assertThat(ByteBufUtil.getBytes(got, video.get(1), 188)).isEqualTo(cont(VIDEO, 3));
        s.release();
        first.checkAndRelease();
        second.checkAndRelease();
    }

    private static byte[] concat(byte[]... packets) {
        int n = 0;
        for (byte[] p : packets) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : packets) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
