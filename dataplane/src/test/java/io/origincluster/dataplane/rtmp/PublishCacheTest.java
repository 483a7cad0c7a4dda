package io.origincluster.dataplane.rtmp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.origincluster.dataplane.rtmp.codec.RtmpMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PublishCacheTest {

    private static final byte[] META = "\u0002\u0000\r@setDataFrame\u0002\u0000\nonMetaData".getBytes();

    private static RtmpMessage msg(int type, long ts, int... bytes) {
        byte[] b = new byte[Math.max(bytes.length, 2) + 100];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return new RtmpMessage(type == RtmpMessage.AUDIO ? 4 : 6, type, ts, 1, Unpooled.wrappedBuffer(b));
    }

    private static List<String> written(PublishCache cache, boolean all) {
        EmbeddedChannel ch = new EmbeddedChannel();
        if (all) {
            cache.writeAll(ch, 7);
        } else {
            cache.writeHeaders(ch, 7);
        }
        ch.flush();
        List<String> out = new ArrayList<>();
        RtmpMessage m;
        while ((m = ch.readOutbound()) != null) {
            assertThat(m.streamId()).isEqualTo(7);
            out.add(m.type() + "@" + m.timestamp());
            m.release();
        }
        ch.finishAndReleaseAll();
        return out;
    }

    private static void add(PublishCache c, RtmpMessage m) {
        c.add(m);
        m.release(); // the cache keeps its own reference
    }

    @Test
    void keepsHeadersAndTheGopSinceTheLastKeyframe() {
        PublishCache c = new PublishCache(1 << 20);
        add(c, new RtmpMessage(5, RtmpMessage.DATA_AMF0, 0, 1, Unpooled.wrappedBuffer(META)));
        add(c, msg(RtmpMessage.VIDEO, 0, 0x17, 0));
        add(c, msg(RtmpMessage.AUDIO, 0, 0xAF, 0));
        add(c, msg(RtmpMessage.VIDEO, 10, 0x27, 1)); // before any keyframe: useless
        add(c, msg(RtmpMessage.VIDEO, 40, 0x17, 1));
        add(c, msg(RtmpMessage.AUDIO, 45, 0xAF, 1));
        add(c, msg(RtmpMessage.VIDEO, 80, 0x27, 1));
        add(c, msg(RtmpMessage.VIDEO, 1040, 0x17, 1)); // next GOP
        add(c, msg(RtmpMessage.VIDEO, 1080, 0x27, 1));
        assertThat(written(c, false)).containsExactly("18@0", "9@0", "8@0");
        assertThat(written(c, true)).containsExactly("18@0", "9@0", "8@0", "9@1040", "9@1080");
        assertThat(c.hasVideo()).isTrue();
        c.release();
        assertThat(written(c, true)).isEmpty();
    }

    @Test
    void aGopPastTheBoundIsDroppedWholeUntilTheNextKeyframe() {
        PublishCache c = new PublishCache(1000);
        add(c, msg(RtmpMessage.VIDEO, 0, 0x17, 1));
        for (int i = 1; i < 20; i++) {
            add(c, msg(RtmpMessage.VIDEO, i * 40L, 0x27, 1));
        }
        assertThat(c.bytes()).isLessThanOrEqualTo(1000);
        assertThat(written(c, true)).as("no GOP without its keyframe").isEmpty();
        add(c, msg(RtmpMessage.VIDEO, 2000, 0x17, 1));
        assertThat(written(c, true)).containsExactly("9@2000");
        c.release();
    }

    @Test
    void audioOnlyStreamsKeepTheirFrames() {
        PublishCache c = new PublishCache(1 << 20);
        add(c, msg(RtmpMessage.AUDIO, 0, 0xAF, 0));
        add(c, msg(RtmpMessage.AUDIO, 23, 0xAF, 1));
        assertThat(c.hasVideo()).isFalse();
        assertThat(written(c, true)).containsExactly("8@0", "8@23");
        c.release();
    }
}
