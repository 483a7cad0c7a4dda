package io.origincluster.dataplane.webrtc;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Hostile STUN datagrams on the WebRTC UDP port and hostile SDP in WHIP/WHEP offers and origin answers. The STUN
 * reader answers null or false for anything malformed and never moves the buffer; the SDP functions take any text.
 * Any exception is a finding. Seeds in {@code WebRtcFuzzTestInputs/<method>/}.
 */
class WebRtcFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void stun(byte[] datagram) throws Exception {
        ByteBuf buf = Unpooled.wrappedBuffer(datagram);
        StunCodec.looksLikeStun(buf);
        String username = StunCodec.bindingRequestUsername(buf);
        if (username != null && (username.indexOf(':') < 0 || username.length() > 513)) {
            throw new IllegalStateException("accepted a malformed USERNAME '" + username + "'");
        }
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec("fuzz-ice-password-0123".getBytes(StandardCharsets.US_ASCII), "HmacSHA1"));
        StunCodec.integrityMatches(buf, mac, new byte[20]);
        if (buf.readerIndex() != 0 || buf.writerIndex() != datagram.length) {
            throw new IllegalStateException("the STUN reader moved the buffer");
        }
    }

    @FuzzTest(maxDuration = "60s")
    void sdp(byte[] input) {
        String sdp = new String(input, StandardCharsets.UTF_8);
        Sdp.iceUfrag(sdp);
        Sdp.icePwd(sdp);
        Sdp.withoutCandidates(sdp);
        Sdp.rewriteAnswer(sdp, "192.0.2.10", 18000);
        Sdp.rewriteAnswer(sdp, "2001:db8::1", 18000);
    }
}
