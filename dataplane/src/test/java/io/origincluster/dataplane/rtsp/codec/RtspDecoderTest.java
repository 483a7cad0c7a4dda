package io.origincluster.dataplane.rtsp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RtspDecoderTest {

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    @Test
    void requestsResponsesAndFramesComeOutWholeWhateverTheSplit() {
        String sdp = "v=0\r\na=control:*\r\n";
        byte[] wire = ("OPTIONS rtsp://h/live/a RTSP/1.0\r\nCSeq: 1\r\n\r\n"
                + "$\u0001\u0000\u0003abc"
                + "RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Type: application/sdp\r\nContent-Length: " + sdp.length()
                + "\r\n\r\n" + sdp).getBytes(StandardCharsets.ISO_8859_1);
        for (int split = 1; split < wire.length; split += 7) {
            EmbeddedChannel ch = new EmbeddedChannel(new RtspDecoder());
            ch.writeInbound(Unpooled.wrappedBuffer(wire, 0, split));
            ch.writeInbound(Unpooled.wrappedBuffer(wire, split, wire.length - split));
            RtspMessage options = ch.readInbound();
            assertThat(options.method()).isEqualTo("OPTIONS");
            assertThat(options.uri()).isEqualTo("rtsp://h/live/a");
            assertThat(options.header("cseq")).isEqualTo("1");
            InterleavedFrame f = ch.readInbound();
            assertThat(f.channel()).isEqualTo(1);
            assertThat(f.length()).isEqualTo(3);
            assertThat(f.content().readableBytes()).as("the header stays in the frame").isEqualTo(7);
            f.release();
            RtspMessage ok = ch.readInbound();
            assertThat(ok.isRequest()).isFalse();
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.bodyText()).isEqualTo(sdp);
            assertThat((Object) ch.readInbound()).isNull();
            assertThat(ch.finish()).isFalse();
        }
    }

    @Test
    void theEncoderWritesWhatTheDecoderReads() {
        RtspMessage m = RtspMessage.request("ANNOUNCE", "rtsp://h/live/a").add("CSeq", "3")
                .add("Content-Length", "999").body("v=0\r\n".getBytes(StandardCharsets.ISO_8859_1));
        EmbeddedChannel out = new EmbeddedChannel(RtspEncoder.INSTANCE);
        out.writeOutbound(m);
        ByteBuf wire = out.readOutbound();
        EmbeddedChannel in = new EmbeddedChannel(new RtspDecoder());
        in.writeInbound(wire);
        RtspMessage back = in.readInbound();
        assertThat(back.header("Content-Length")).as("from the body, not the stale header").isEqualTo("5");
        assertThat(back.bodyText()).isEqualTo("v=0\r\n");
    }

    @Test
    void continuationLinesAndBareLfAreAccepted() {
        EmbeddedChannel ch = new EmbeddedChannel(new RtspDecoder());
        ch.writeInbound(bytes("\r\nGET_PARAMETER * RTSP/1.0\nCSeq: 9\nX-Long: a\n b\n\n"));
        RtspMessage m = ch.readInbound();
        assertThat(m.uri()).isEqualTo("*");
        assertThat(m.header("X-Long")).isEqualTo("a b");
    }

    @Test
    void malformedInputThrows() {
        String[] bad = {
            "\u0001garbage",
            "OPTIONS rtsp://h/a HTTP/1.1\r\n\r\n",
            "options rtsp://h/a RTSP/1.0\r\n\r\n",
            "OPTIONS  RTSP/1.0\r\n\r\n",
            "RTSP/1.0 2000 OK\r\n\r\n",
            "OPTIONS * RTSP/1.0\r\nNo colon here\r\n\r\n",
            "OPTIONS * RTSP/1.0\r\nX: a\u0000b\r\n\r\n",
            "OPTIONS * RTSP/1.0\r\n\tcontinued first\r\n\r\n",
            "ANNOUNCE * RTSP/1.0\r\nContent-Length: -1\r\n\r\n",
            "ANNOUNCE * RTSP/1.0\r\nContent-Length: " + (RtspDecoder.MAX_BODY + 1) + "\r\n\r\n",
            "OPTIONS * RTSP/1.0\r\n" + "X: 1\r\n".repeat(RtspDecoder.MAX_HEADERS + 1) + "\r\n",
            "OPTIONS * RTSP/1.0\r\nX: " + "a".repeat(RtspDecoder.MAX_HEAD),
        };
        for (String s : bad) {
            EmbeddedChannel ch = new EmbeddedChannel(new RtspDecoder());
            assertThatThrownBy(() -> ch.writeInbound(bytes(s))).as(s.length() > 60 ? s.substring(0, 60) : s)
                    .isInstanceOf(RtspProtocolException.class);
            ch.finishAndReleaseAll();
        }
    }
}
