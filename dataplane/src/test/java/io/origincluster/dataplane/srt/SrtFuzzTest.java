package io.origincluster.dataplane.srt;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Hostile SRT datagrams (the handshake and its extensions) and stream ids. {@link MalformedSrtPacketException}
 * and {@link SrtRejectException} are the clean refusals (the caller is rejected); anything else is a finding.
 * Seeds in {@code SrtFuzzTestInputs/<method>/}.
 */
class SrtFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void handshake(byte[] datagram) {
        ByteBuf buf = Unpooled.wrappedBuffer(datagram);
        if (SrtPacket.hasHeader(buf)) {
            SrtPacket.isControl(buf);
            SrtPacket.controlType(buf);
            SrtPacket.destSocketId(buf);
        }
        try {
            SrtHandshake hs = SrtHandshake.parse(buf);
            SrtHandshake.peerIp(buf);
            if (hs.streamId() != null) {
                SrtStreamId.parse(hs.streamId());
            }
        } catch (MalformedSrtPacketException | SrtRejectException e) {
            // a clean refusal
        }
    }

    @FuzzTest(maxDuration = "60s")
    void streamId(byte[] input) {
        try {
            SrtStreamId id = SrtStreamId.parse(new String(input, StandardCharsets.UTF_8));
            if (id.key() == null || id.mode() == null) {
                throw new IllegalStateException("a parsed stream id without key or mode");
            }
        } catch (SrtRejectException e) {
            // a clean refusal
        }
    }
}
