package io.origincluster.dataplane.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StunCodecTest {

    private static String username(byte[] packet) {
        ByteBuf b = Unpooled.wrappedBuffer(packet);
        try {
            String u = StunCodec.bindingRequestUsername(b);
            assertThat(b.readerIndex()).isZero();
            return u;
        } finally {
            b.release();
        }
    }

    @Test
    void readsUsernameOfARealLookingBindingRequest() {
        byte[] p = StunPackets.bindingRequest().username("CQ1s:XyVz").iceTail().build();
        assertThat(username(p)).isEqualTo("CQ1s:XyVz");
    }

    @Test
    void findsUsernameAfterOtherAttributesAndHandlesPadding() {
        byte[] p = StunPackets.bindingRequest().attribute(0x0024, new byte[] {1, 2, 3, 4})
                .attribute(0x8022, new byte[] {'a', 'b', 'c'}) // 3 bytes + 1 byte padding
                .username("abcde:fg").build();
        assertThat(username(p)).isEqualTo("abcde:fg");
    }

    @Test
    void readsAtReaderIndexOfASlicedBuffer() {
        byte[] p = StunPackets.bindingRequest().username("a1:b2").build();
        byte[] framed = new byte[p.length + 7];
        System.arraycopy(p, 0, framed, 3, p.length);
        ByteBuf b = Unpooled.wrappedBuffer(framed, 3, p.length);
        assertThat(StunCodec.bindingRequestUsername(b)).isEqualTo("a1:b2");
        b.release();
    }

    @Test
    void rejectsWrongCookieTypeAndLength() {
        assertThat(username(StunPackets.bindingRequest().cookie(0x2112A443).username("a:b").build())).isNull();
        assertThat(username(StunPackets.bindingRequest().type(0x0101).username("a:b").build())).isNull(); // success
        assertThat(username(StunPackets.bindingRequest().type(0x0011).username("a:b").build())).isNull(); // indication
        byte[] p = StunPackets.bindingRequest().username("a:b").build();
        byte[] trailing = Arrays.copyOf(p, p.length + 4);
        assertThat(username(trailing)).as("length field must match the datagram").isNull();
        byte[] odd = Arrays.copyOf(p, p.length);
        odd[3] = (byte) (odd[3] + 1);
        assertThat(username(odd)).isNull();
    }

    @Test
    void rejectsTruncatedDatagramsAtEveryLength() {
        byte[] p = StunPackets.bindingRequest().username("CQ1s:XyVz").iceTail().build();
        for (int n = 0; n < p.length; n++) {
            assertThat(username(Arrays.copyOf(p, n))).as("prefix of %d bytes", n).isNull();
        }
    }

    @Test
    void rejectsAttributeRunningPastTheEnd() {
        byte[] p = StunPackets.bindingRequest().username("abcd:efgh").build();
        p[23] = (byte) 0x40; // USERNAME length 64, but only 12 bytes follow
        assertThat(username(p)).isNull();
        byte[] huge = StunPackets.bindingRequest().username("abcd:efgh").build();
        huge[22] = (byte) 0xFF;
        huge[23] = (byte) 0xFF;
        assertThat(username(huge)).isNull();
    }

    @Test
    void rejectsBadUsernames() {
        assertThat(username(StunPackets.bindingRequest().username("nocolon").build())).isNull();
        assertThat(username(StunPackets.bindingRequest().username("a b:c").build())).isNull();
        assertThat(username(StunPackets.bindingRequest().username("ab:\u0001").build())).isNull();
        assertThat(username(StunPackets.bindingRequest().username("a:" + "x".repeat(600)).build())).isNull();
        assertThat(username(StunPackets.bindingRequest().attribute(0x0006, new byte[0]).build())).isNull();
        assertThat(username(StunPackets.bindingRequest().attribute(0x0024, new byte[4]).build()))
                .as("no USERNAME at all").isNull();
    }

    @Test
    void classifiesByFirstByte() {
        assertThat(StunCodec.looksLikeStun(Unpooled.wrappedBuffer(new byte[] {0x00, 1}))).isTrue();
        assertThat(StunCodec.looksLikeStun(Unpooled.wrappedBuffer(new byte[] {0x01, 1}))).isTrue();
        assertThat(StunCodec.looksLikeStun(Unpooled.wrappedBuffer(new byte[] {22, 1}))).as("DTLS").isFalse();
        assertThat(StunCodec.looksLikeStun(Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, 1}))).as("RTP").isFalse();
        assertThat(StunCodec.looksLikeStun(Unpooled.EMPTY_BUFFER)).isFalse();
    }

    @Test
    void randomAndMutatedBytesNeverThrow() {
        Random r = new Random(42);
        byte[] valid = StunPackets.bindingRequest().username("CQ1s:XyVz").iceTail().build();
        for (int i = 0; i < 20_000; i++) {
            byte[] p;
            if (i % 2 == 0) {
                p = new byte[r.nextInt(120)];
                r.nextBytes(p);
                if (p.length > 0) {
                    p[0] &= 0x03;
                }
            } else {
                p = valid.clone();
                p[r.nextInt(p.length)] = (byte) r.nextInt(256);
            }
            String u = username(p);
            if (u != null) {
                assertThat(u).contains(":").doesNotContain(" ");
            }
        }
    }

    private static boolean verifies(byte[] packet, String password) {
        ByteBuf b = Unpooled.wrappedBuffer(packet);
        try {
            assertThat(StunCodec.bindingRequestUsername(b)).isNotNull();
            return StunCodec.integrityMatches(b, WebRtcRelayServer.integrityMac(password), new byte[4200]);
        } finally {
            b.release();
        }
    }

    @Test
    void verifiesMessageIntegrityWithTheIcePassword() throws Exception {
        byte[] signed = StunPackets.bindingRequest().username("CQ1s:XyVz").attribute(0x0024, new byte[4])
                .buildSigned("n3TZ2fsEm9/uHnpUPYaXMsPl");
        assertThat(verifies(signed, "n3TZ2fsEm9/uHnpUPYaXMsPl")).isTrue();
        assertThat(verifies(signed, "another-password-entirely")).isFalse();
        byte[] tampered = signed.clone();
        tampered[27] ^= 1; // inside the USERNAME value
        assertThat(verifies(tampered, "n3TZ2fsEm9/uHnpUPYaXMsPl")).isFalse();
        assertThat(verifies(StunPackets.bindingRequest().username("CQ1s:XyVz").build(), "n3TZ2fsEm9/uHnpUPYaXMsPl"))
                .as("no MESSAGE-INTEGRITY at all").isFalse();
        assertThat(verifies(StunPackets.bindingRequest().username("CQ1s:XyVz").attribute(0x0008, new byte[16])
                .build(), "n3TZ2fsEm9/uHnpUPYaXMsPl")).as("integrity of the wrong size").isFalse();
    }
}
