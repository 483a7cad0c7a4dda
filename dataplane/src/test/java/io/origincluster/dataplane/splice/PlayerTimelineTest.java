package io.origincluster.dataplane.splice;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlayerTimelineTest {

    private static final byte[] AVC_CONFIG = {0x17, 0, 0, 0, 0, 1, 2, 3};
    private static final byte[] AVC_CONFIG_2 = {0x17, 0, 0, 0, 0, 9, 9, 9};
    private static final byte[] KEY = {0x17, 1, 0, 0, 0, 5};
    private static final byte[] INTER = {0x27, 1, 0, 0, 0, 6};
    private static final byte[] AAC_CONFIG = {(byte) 0xAF, 0, 0x12, 0x10};
    private static final byte[] AAC = {(byte) 0xAF, 1, 1, 2};
    private static final byte[] META = metadata("onMetaData", 1);

    private final PlayerTimeline t = new PlayerTimeline();
    private final List<String> injected = new ArrayList<>();

    private long map(int type, long ts, byte[] payload) {
        ByteBuf b = Unpooled.wrappedBuffer(payload);
        return t.map(type, ts, b, (it, its, p) -> {
            injected.add(it + "@" + its + ":" + ByteBufUtil.hexDump(p));
            p.release();
        });
    }

    private static byte[] metadata(String name, int variant) {
        byte[] b = new byte[3 + name.length() + 2];
        b[0] = 2;
        b[2] = (byte) name.length();
        System.arraycopy(name.getBytes(), 0, b, 3, name.length());
        b[b.length - 1] = (byte) variant;
        return b;
    }

    private void playFirstLeg() {
        assertThat(map(MediaTags.SCRIPT, 0, META)).isZero();
        assertThat(map(MediaTags.VIDEO, 0, AVC_CONFIG)).isZero();
        assertThat(map(MediaTags.AUDIO, 0, AAC_CONFIG)).isZero();
        for (int i = 0; i < 50; i++) {
            byte[] v = i % 25 == 0 ? KEY : INTER;
            assertThat(map(MediaTags.VIDEO, 1000 + i * 40L, v)).isEqualTo(1000 + i * 40L);
            assertThat(map(MediaTags.AUDIO, 1010 + i * 40L, AAC)).isEqualTo(1010 + i * 40L);
        }
    }

    @Test
    void untouchedUntilTheFirstSplice() {
        playFirstLeg();
        assertThat(t.splices()).isZero();
        assertThat(t.lastTimestamp()).isEqualTo(1000 + 49 * 40 + 10);
        assertThat(injected).isEmpty();
    }

    @Test
    void newLegResumesAtItsKeyframeOneFrameAfterTheLastTimestampWithoutRepeatingHeaders() {
        playFirstLeg();
        long last = t.lastTimestamp();
        t.splice();
        assertThat(t.awaitingStart()).isTrue();
        assertThat(map(MediaTags.SCRIPT, 0, META)).isEqualTo(PlayerTimeline.DROP);
        assertThat(map(MediaTags.VIDEO, 0, AVC_CONFIG)).isEqualTo(PlayerTimeline.DROP);
        assertThat(map(MediaTags.AUDIO, 0, AAC_CONFIG)).isEqualTo(PlayerTimeline.DROP);
        assertThat(map(MediaTags.VIDEO, 5, INTER)).as("mid-GOP frames wait").isEqualTo(PlayerTimeline.DROP);
        assertThat(map(MediaTags.AUDIO, 7, AAC)).as("audio waits for the video keyframe").isEqualTo(PlayerTimeline.DROP);
        long k = map(MediaTags.VIDEO, 300, KEY);
        assertThat(k).isEqualTo(last + 40);
        assertThat(injected).as("identical headers are not sent again").isEmpty();
        assertThat(map(MediaTags.AUDIO, 250, AAC)).as("audio older than what was sent").isEqualTo(PlayerTimeline.DROP);
        assertThat(map(MediaTags.AUDIO, 310, AAC)).isEqualTo(k + 10);
        assertThat(map(MediaTags.VIDEO, 340, INTER)).isEqualTo(k + 40);
        assertThat(t.splices()).isEqualTo(1);
        assertThat(t.lastStallNanos()).isNotNegative();
    }

    @Test
    void changedHeadersAreSentRightBeforeTheKeyframe() {
        playFirstLeg();
        long last = t.lastTimestamp();
        t.splice();
        map(MediaTags.SCRIPT, 0, metadata("onMetaData", 2));
        map(MediaTags.VIDEO, 0, AVC_CONFIG_2);
        map(MediaTags.AUDIO, 0, AAC_CONFIG);
        assertThat(map(MediaTags.VIDEO, 0, KEY)).isEqualTo(last + 40);
        assertThat(injected).containsExactly(
                "18@" + (last + 40) + ":" + ByteBufUtil.hexDump(metadata("onMetaData", 2)),
                "9@" + (last + 40) + ":" + ByteBufUtil.hexDump(AVC_CONFIG_2));
    }

    @Test
    void aTrackGoingBackOnTheSameLegIsANewPublish() {
        playFirstLeg();
        long last = t.lastTimestamp();
        assertThat(map(MediaTags.VIDEO, 0, AVC_CONFIG)).as("restart detected at its config").isEqualTo(PlayerTimeline.DROP);
        assertThat(t.awaitingStart()).isTrue();
        assertThat(map(MediaTags.VIDEO, 0, KEY)).isEqualTo(last + 40);
        assertThat(map(MediaTags.VIDEO, 40, INTER)).isEqualTo(last + 80);
    }

    @Test
    void audioOnlyStreamsResumeAtTheirFirstFrame() {
        map(MediaTags.AUDIO, 0, AAC_CONFIG);
        for (int i = 0; i < 10; i++) {
            map(MediaTags.AUDIO, i * 23L, AAC);
        }
        t.splice();
        assertThat(map(MediaTags.AUDIO, 5000, AAC)).isEqualTo(9 * 23 + 40);
        assertThat(t.hasVideo()).isFalse();
    }

    @Test
    void timestampsWrapAt32Bits() {
        map(MediaTags.VIDEO, 0xFFFF_FF00L, KEY);
        t.splice();
        long k = map(MediaTags.VIDEO, 10, KEY);
        assertThat(k).isEqualTo((0xFFFF_FF00L + 40) & 0xFFFF_FFFFL);
        assertThat(map(MediaTags.VIDEO, 0x200, INTER)).isBetween(0L, 0xFFFF_FFFFL);
    }

    @Test
    void malformedPayloadsAreJustMedia() {
        assertThat(map(MediaTags.VIDEO, 0, new byte[0])).isZero();
        assertThat(map(MediaTags.AUDIO, 0, new byte[] {(byte) 0xAF})).isZero();
        t.splice();
        assertThat(map(MediaTags.VIDEO, 10, new byte[0])).isEqualTo(PlayerTimeline.DROP);
        assertThat(map(MediaTags.SCRIPT, 10, new byte[] {2})).isEqualTo(PlayerTimeline.DROP);
    }
}
