package io.origincluster.dataplane.splice;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The timeline across splices: what is dropped, what is injected, and where the timestamps continue. */
class PlayerTimelineEdgeCasesTest {

    private static final int A = MediaTags.AUDIO;
    private static final int V = MediaTags.VIDEO;
    private static final int S = MediaTags.SCRIPT;

    private final PlayerTimeline t = new PlayerTimeline();
    private final List<String> injected = new ArrayList<>();

    private long map(int type, long ts, byte[] payload) {
        ByteBuf b = Unpooled.wrappedBuffer(payload);
        return t.map(type, ts, b, (ty, its, p) -> {
            injected.add(ty + "@" + its + ":" + ByteBufUtil.hexDump(p));
            p.release();
        });
    }

    private static byte[] key() {
        return new byte[] {0x17, 1, 0, 0, 0, 5};
    }

    private static byte[] inter() {
        return new byte[] {0x27, 1, 0, 0, 0, 6};
    }

    private static byte[] avcConfig(int v) {
        return new byte[] {0x17, 0, 0, 0, 0, 1, (byte) v};
    }

    private static byte[] aacConfig(int v) {
        return new byte[] {(byte) 0xaf, 0, 0x12, (byte) v};
    }

    private static byte[] aac() {
        return new byte[] {(byte) 0xaf, 1, 9, 9};
    }

    private static byte[] meta(int v) {
        byte[] name = "onMetaData".getBytes();
        byte[] b = new byte[3 + name.length + 1];
        b[0] = 2;
        b[2] = (byte) name.length;
        System.arraycopy(name, 0, b, 3, name.length);
        b[b.length - 1] = (byte) v;
        return b;
    }

    /** A leg: metadata, configs, then video at 25 fps and audio, from {@code start}. */
    private void playFirstLeg(long start, int frames) {
        assertThat(map(S, start, meta(1))).isEqualTo(start);
        assertThat(map(V, start, avcConfig(1))).isEqualTo(start);
        assertThat(map(A, start, aacConfig(1))).isEqualTo(start);
        for (int i = 0; i < frames; i++) {
            long ts = start + i * 40L;
            assertThat(map(V, ts, i % 25 == 0 ? key() : inter())).isEqualTo(ts);
            assertThat(map(A, ts + 3, aac())).isEqualTo(ts + 3);
        }
    }

    @Test
    void beforeAnySpliceEverythingPassesUnchanged() {
        playFirstLeg(1000, 30);
        // 2160 was the last video timestamp; under a second back is jitter, passed as it is (further back would be
        // a new publish on the same leg, see PlayerTimelineTest)
        assertThat(map(V, 1500, inter())).as("even a step back, before any splice").isEqualTo(1500);
        assertThat(t.splices()).isZero();
        assertThat(injected).isEmpty();
    }

    @Test
    void aSpliceResumesAtTheNextKeyframeOneFrameAfterTheLastTimestamp() {
        playFirstLeg(0, 30); // last video 1160, last audio 1163
        t.splice();
        assertThat(t.awaitingStart()).isTrue();
        // the new leg starts mid-GOP at its own stream time (nginx-rtmp): dropped until the keyframe
        assertThat(map(V, 500_000, inter())).isEqualTo(PlayerTimeline.DROP);
        assertThat(map(A, 500_001, aac())).isEqualTo(PlayerTimeline.DROP);
        assertThat(map(S, 500_001, new byte[] {2, 0, 1, 'x'})).isEqualTo(PlayerTimeline.DROP);
        long k = map(V, 500_040, key());
        assertThat(k).isEqualTo(1163 + 40);
        assertThat(t.awaitingStart()).isFalse();
        assertThat(t.splices()).isEqualTo(1);
        assertThat(t.lastStallNanos()).isGreaterThanOrEqualTo(0);
        assertThat(map(A, 500_043, aac())).as("audio on the same offset").isEqualTo(k + 3);
        assertThat(map(V, 500_080, inter())).isEqualTo(k + 40);
        assertThat(injected).as("nothing changed, nothing re-sent").isEmpty();
    }

    @Test
    void changedConfigAndMetadataAreInjectedBeforeTheKeyframeAndSameOnesAreNot() {
        playFirstLeg(0, 5);
        t.splice();
        assertThat(map(S, 0, meta(2))).isEqualTo(PlayerTimeline.DROP);
        assertThat(map(V, 0, avcConfig(1))).isEqualTo(PlayerTimeline.DROP);
        assertThat(map(A, 0, aacConfig(7))).isEqualTo(PlayerTimeline.DROP);
        long k = map(V, 0, key());
        assertThat(k).isEqualTo(163 + 40);
        assertThat(injected).containsExactly(S + "@" + k + ":" + ByteBufUtil.hexDump(meta(2)),
                A + "@" + k + ":" + ByteBufUtil.hexDump(aacConfig(7)));
        // the next splice compares with what was injected, not with the first leg's
        injected.clear();
        t.splice();
        map(A, 0, aacConfig(7));
        map(V, 0, avcConfig(3));
        long k2 = map(V, 10, key());
        assertThat(k2).isEqualTo(k + 40);
        assertThat(injected).containsExactly(V + "@" + k2 + ":" + ByteBufUtil.hexDump(avcConfig(3)));
    }

    @Test
    void afterASpliceFramesThatWouldGoBackOnTheirTrackAreDropped() {
        playFirstLeg(0, 10); // last audio 363
        t.splice();
        long k = map(V, 1000, key()); // 403
        assertThat(k).isEqualTo(403);
        assertThat(map(A, 900, aac())).as("audio older than the audio already sent").isEqualTo(PlayerTimeline.DROP);
        assertThat(map(A, 1001, aac())).isEqualTo(404);
        assertThat(map(V, 990, inter())).isEqualTo(PlayerTimeline.DROP);
        assertThat(map(V, 1040, inter())).isEqualTo(443);
    }

    @Test
    void anAudioOnlyStreamResumesOnItsFirstAudioFrame() {
        assertThat(map(A, 0, aacConfig(1))).isZero();
        for (int i = 0; i < 10; i++) {
            assertThat(map(A, i * 23L, aac())).isEqualTo(i * 23L);
        }
        t.splice();
        assertThat(map(A, 7000, aacConfig(1))).isEqualTo(PlayerTimeline.DROP);
        assertThat(map(A, 7000, aac())).isEqualTo(207 + 40);
        assertThat(map(A, 7023, aac())).isEqualTo(207 + 63);
    }

    @Test
    void aSpliceBeforeAnyMediaStartsAtZero() {
        t.splice();
        assertThat(map(V, 123_456, key())).isZero();
        assertThat(map(V, 123_496, inter())).isEqualTo(40);
    }

    @Test
    void timestampsNearTheTopOfTheClockWrapIntoTheNewLeg() {
        long top = 0xFFFF_FFFFL - 100;
        assertThat(map(V, top, key())).isEqualTo(top);
        t.splice();
        long k = map(V, 0, key());
        assertThat(k).isEqualTo((top + 40) & 0xFFFF_FFFFL);
        assertThat(map(V, 40, inter())).isEqualTo((top + 80) & 0xFFFF_FFFFL);
    }

    @Test
    void twoSplicesInARowBeforeTheNewLegStartsCountAsOneStall() throws Exception {
        playFirstLeg(0, 5);
        t.splice();
        map(V, 0, avcConfig(9)); // from a leg that then died before its keyframe
        Thread.sleep(20);
        t.splice();
        long k = map(V, 50, key());
        assertThat(k).isEqualTo(203);
        assertThat(t.splices()).isEqualTo(1);
        assertThat(t.lastStallNanos()).isGreaterThanOrEqualTo(20_000_000L);
        assertThat(injected).as("the dead leg's config is forgotten").isEmpty();
    }

    @Test
    void theFrameIntervalIsLearnedFromTheVideo() {
        for (int i = 0; i < 10; i++) {
            map(V, i * 33L, i == 0 ? key() : inter());
        }
        t.splice();
        assertThat(map(V, 0, key())).isEqualTo(9 * 33 + 33);
    }
}
