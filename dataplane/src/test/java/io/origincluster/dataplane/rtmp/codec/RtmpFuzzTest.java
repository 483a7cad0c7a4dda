package io.origincluster.dataplane.rtmp.codec;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.origincluster.dataplane.fuzz.Decoding;

/**
 * Hostile bytes on an RTMP connection: the server handshake, the chunk stream decoder (with small limits, so
 * they are reached) and the commands it yields, AMF0 and AMF3 values. {@link RtmpProtocolException} is the clean
 * refusal (the session closes); anything else is a bug. Seeds in {@code RtmpFuzzTestInputs/<method>/}.
 */
class RtmpFuzzTest {

    private static final ChunkLimits SMALL = new ChunkLimits(64 * 1024, 1 << 16, 8);

    @FuzzTest(maxDuration = "60s")
    void handshake(byte[] input) {
        Decoding.feed(input, RtmpProtocolException.class, RtmpFuzzTest::command,
                new ServerHandshakeHandler(), new ChunkDecoder(SMALL));
        if (input.length >= Handshake.PACKET) {
            Handshake.detectClient(java.util.Arrays.copyOf(input, Handshake.PACKET));
        }
    }

    @FuzzTest(maxDuration = "60s")
    void chunkStream(byte[] input) {
        Decoding.feed(input, RtmpProtocolException.class, RtmpFuzzTest::command, new ChunkDecoder(SMALL));
    }

    @FuzzTest(maxDuration = "60s")
    void amf0(byte[] input) {
        ByteBuf in = Unpooled.wrappedBuffer(input);
        try {
            Amf0.decodeAll(in);
        } catch (RtmpProtocolException e) {
            // a clean refusal
        }
    }

    @FuzzTest(maxDuration = "60s")
    void amf3(byte[] input) {
        ByteBuf in = Unpooled.wrappedBuffer(input);
        try {
            while (in.isReadable()) {
                Amf3.decode(in);
            }
        } catch (RtmpProtocolException e) {
            // a clean refusal
        }
    }

    /** What the session does with each message: commands and data messages are decoded as AMF. */
    private static void command(Object m) {
        if (m instanceof RtmpMessage msg && msg.isCommand()) {
            RtmpCommand.decode(msg);
        }
    }
}
