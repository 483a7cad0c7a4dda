package io.origincluster.dataplane.rtmp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HandshakeTest {

    private static byte[][] reply(byte[] c1) {
        ByteBuf in = Unpooled.buffer().writeByte(3).writeBytes(c1);
        ByteBuf out = Handshake.serverReply(ByteBufAllocator.DEFAULT, in);
        assertThat(out.readableBytes()).isEqualTo(3073);
        assertThat(out.readByte()).isEqualTo((byte) 3);
        byte[] s1 = new byte[1536];
        byte[] s2 = new byte[1536];
        out.readBytes(s1).readBytes(s2);
        out.release();
        return new byte[][]{s1, s2};
    }

    @Test
    void simpleClientGetsAnEchoOfC1() {
        ByteBuf hello = Handshake.clientHello(ByteBufAllocator.DEFAULT);
        hello.skipBytes(1);
        byte[] c1 = new byte[1536];
        hello.readBytes(c1);
        hello.release();
        assertThat(Handshake.detectClient(c1)).isEqualTo(Handshake.Scheme.SIMPLE);
        byte[][] s = reply(c1);
        assertThat(s[1]).isEqualTo(c1);
        assertThat(Arrays.copyOfRange(s[0], 4, 8)).containsOnly(0);
    }

    @ParameterizedTest
    @EnumSource(value = Handshake.Scheme.class, names = {"DIGEST_FIRST", "DIGEST_SECOND"})
    void digestClientGetsSignedS1AndS2InTheSameScheme(Handshake.Scheme scheme) {
        byte[] c1 = Handshake.digestClientC1(scheme);
        assertThat(Handshake.detectClient(c1)).isEqualTo(scheme);
        byte[][] s = reply(c1);
        assertThat(Handshake.validServerS1(s[0], scheme)).isTrue();
        assertThat(Handshake.validServerS2(s[1], c1, scheme)).isTrue();
        assertThat(s[1]).isNotEqualTo(c1);
    }

    @Test
    void aC1WithVersionButBadDigestFallsBackToSimple() {
        byte[] c1 = Handshake.digestClientC1(Handshake.Scheme.DIGEST_SECOND);
        int at = Handshake.digestOffset(c1, Handshake.Scheme.DIGEST_SECOND);
        c1[at] ^= 0x55;
        assertThat(Handshake.detectClient(c1)).isEqualTo(Handshake.Scheme.SIMPLE);
        assertThat(reply(c1)[1]).isEqualTo(c1);
    }

    @Test
    void rejectsOtherVersionsAndShortInput() {
        ByteBuf rtmpe = Unpooled.buffer().writeByte(6).writeZero(1536);
        assertThatThrownBy(() -> Handshake.serverReply(ByteBufAllocator.DEFAULT, rtmpe))
                .isInstanceOf(RtmpProtocolException.class).hasMessageContaining("version 6");
        ByteBuf shortOne = Unpooled.buffer().writeByte(3).writeZero(100);
        assertThatThrownBy(() -> Handshake.serverReply(ByteBufAllocator.DEFAULT, shortOne))
                .isInstanceOf(RtmpProtocolException.class);
    }
}
