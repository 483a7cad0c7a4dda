package io.origincluster.dataplane.srt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The handshake codec against hand-built packets, including every way a datagram can lie about its length. */
class SrtHandshakeTest {

    private static final int CALLER = 0x2A64_1ADC;

    /** A caller's HSv5 conclusion like libsrt 1.5 sends: HSREQ, SID, KMREQ, plus a congestion block. */
    static ByteBuf conclusion(String streamId, int cookie) {
        ByteBuf b = Unpooled.buffer();
        SrtHandshake.write(b, 1234, 0, 5, 2, 0x7, 0x1111, 1500, 8192, SrtHandshake.TYPE_CONCLUSION, CALLER,
                cookie, InetAddress.getLoopbackAddress());
        b.writeShort(SrtHandshake.EXT_HSREQ).writeShort(3).writeInt(0x00010501).writeInt(0xBF).writeInt(0x00780000);
        if (streamId != null) {
            SrtHandshake.writeStreamIdExtension(b, streamId);
        }
        b.writeShort(SrtHandshake.EXT_KMREQ).writeShort(2).writeInt(0x12202901).writeInt(0xCAFEBABE);
        b.writeShort(SrtHandshake.EXT_CONGESTION).writeShort(1).writeBytes("evil".getBytes());
        return b;
    }

    @Test
    void parsesConclusionFieldsAndExtensions() throws Exception {
        ByteBuf b = conclusion("#!::r=live/livestream,m=publish", 0xDEBF4D4D);
        SrtHandshake hs = SrtHandshake.parse(b);
        assertThat(hs.version()).isEqualTo(5);
        assertThat(hs.encryption()).isEqualTo(2);
        assertThat(hs.extensionField()).isEqualTo(7);
        assertThat(hs.initialSeq()).isEqualTo(0x1111);
        assertThat(hs.mtu()).isEqualTo(1500);
        assertThat(hs.flowWindow()).isEqualTo(8192);
        assertThat(hs.isConclusion()).isTrue();
        assertThat(hs.socketId()).isEqualTo(CALLER);
        assertThat(hs.cookie()).isEqualTo(0xDEBF4D4D);
        assertThat(hs.streamId()).isEqualTo("#!::r=live/livestream,m=publish");
        assertThat(hs.extensions()).extracting(SrtHandshake.Extension::type)
                .containsExactly(SrtHandshake.EXT_HSREQ, SrtHandshake.EXT_SID, SrtHandshake.EXT_KMREQ,
                        SrtHandshake.EXT_CONGESTION);
        SrtHandshake.Extension km = hs.extensions().get(2);
        assertThat(b.getInt(km.contentOffset() + 4)).isEqualTo(0xCAFEBABE);
        assertThat(km.contentLength()).isEqualTo(8);
        assertThat(SrtHandshake.peerIp(b)).isEqualTo(InetAddress.getLoopbackAddress());
        assertThat(b.readerIndex()).as("parsing does not consume").isZero();
    }

    @Test
    void streamIdIsLittleEndianWordsWithTrailingNulsStripped() throws Exception {
        // The bytes libsrt 1.5 put on the wire for "#!::r=live/s1,m=publish" (captured).
        byte[] wire = ByteBufUtil.decodeHexDump("3a3a2123696c3d72732f65763d6d2c316c62757000687369");
        ByteBuf b = Unpooled.buffer();
        SrtHandshake.write(b, 0, 0, 5, 0, 0x5, 1, 1500, 8192, SrtHandshake.TYPE_CONCLUSION, CALLER, 7, null);
        b.writeShort(SrtHandshake.EXT_SID).writeShort(6).writeBytes(wire, 0, 24);
        assertThat(SrtHandshake.parse(b).streamId()).isEqualTo("#!::r=live/s1,m=publish");
    }

    @Test
    void inductionHasNoExtensionsAndHeaderAccessorsWork() throws Exception {
        ByteBuf b = Unpooled.buffer();
        SrtHandshake.write(b, 99, 0, 4, 0, SrtHandshake.UDT_DGRAM, 5, 1500, 8192, SrtHandshake.TYPE_INDUCTION,
                CALLER, 0, null);
        b.writeInt(0xFFFFFFFF); // junk after an induction is ignored, not walked as extensions
        SrtHandshake hs = SrtHandshake.parse(b);
        assertThat(hs.isInduction()).isTrue();
        assertThat(hs.extensions()).isEmpty();
        assertThat(SrtPacket.isControl(b)).isTrue();
        assertThat(SrtPacket.controlType(b)).isZero();
        assertThat(SrtPacket.timestamp(b)).isEqualTo(99);
        assertThat(SrtPacket.destSocketId(b)).isZero();
        SrtPacket.setDestSocketId(b, 77);
        assertThat(SrtPacket.destSocketId(b)).isEqualTo(77);
    }

    @Test
    void dataAndOtherControlPacketsAreClassified() {
        ByteBuf data = Unpooled.buffer().writeInt(0x0000_1234).writeInt(0xC000_0001).writeInt(5).writeInt(42);
        assertThat(SrtPacket.isControl(data)).isFalse();
        assertThat(SrtPacket.isHandshake(data)).isFalse();
        ByteBuf shutdown = SrtPacket.shutdown(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, 1, 42);
        assertThat(SrtPacket.isShutdown(shutdown)).isTrue();
        assertThat(SrtPacket.destSocketId(shutdown)).isEqualTo(42);
        assertThat(shutdown.readableBytes()).isEqualTo(20);
        ByteBuf km = Unpooled.buffer().writeShort(0xFFFF).writeShort(3).writeInt(0).writeInt(0).writeInt(1);
        assertThat(SrtPacket.controlType(km)).isEqualTo(SrtPacket.TYPE_USER);
        assertThat(SrtPacket.subtype(km)).isEqualTo(3);
    }

    @Test
    void rejectionTypesRoundTrip() throws Exception {
        ByteBuf b = Unpooled.buffer();
        SrtHandshake.write(b, 0, CALLER, 5, 0, 0, 1, 1500, 8192, SrtReject.toHandshakeType(SrtReject.UNAVAILABLE),
                0, 0, null);
        SrtHandshake hs = SrtHandshake.parse(b);
        assertThat(hs.isRejection()).isTrue();
        assertThat(hs.isConclusion()).isFalse();
        assertThat(SrtReject.reasonOf(hs.type())).isEqualTo(1503);
        assertThat(SrtReject.isRejection(SrtHandshake.TYPE_CONCLUSION)).isFalse();
    }

    @Test
    void malformedPacketsAreTypedErrors() {
        assertThatThrownBy(() -> SrtHandshake.parse(Unpooled.wrappedBuffer(new byte[10])))
                .isInstanceOf(MalformedSrtPacketException.class).hasMessageContaining("shorter than an SRT header");
        ByteBuf data = Unpooled.buffer().writeZero(64);
        assertThatThrownBy(() -> SrtHandshake.parse(data)).isInstanceOf(MalformedSrtPacketException.class)
                .hasMessageContaining("not a handshake");
        ByteBuf full = conclusion("live/x", 5);
        for (int len = 16; len < 64; len += 7) {
            ByteBuf cut = full.slice(0, len);
            assertThatThrownBy(() -> SrtHandshake.parse(cut)).isInstanceOf(MalformedSrtPacketException.class);
        }
        // Every truncation inside the extension area either parses (cut at a block boundary) or is an error.
        for (int len = 65; len < full.readableBytes(); len++) {
            ByteBuf cut = full.slice(0, len);
            try {
                SrtHandshake.parse(cut);
            } catch (MalformedSrtPacketException e) {
                assertThat(e.getMessage()).containsAnyOf("truncated", "overruns");
            }
        }
        ByteBuf overrun = Unpooled.buffer();
        SrtHandshake.write(overrun, 0, 0, 5, 0, 5, 1, 1500, 8192, SrtHandshake.TYPE_CONCLUSION, CALLER, 5, null);
        overrun.writeShort(SrtHandshake.EXT_SID).writeShort(0xFFFF).writeInt(0x41414141);
        assertThatThrownBy(() -> SrtHandshake.parse(overrun)).hasMessageContaining("overruns");
        ByteBuf twoSids = conclusion("a/b", 5);
        SrtHandshake.writeStreamIdExtension(twoSids, "c/d");
        assertThatThrownBy(() -> SrtHandshake.parse(twoSids)).hasMessageContaining("two stream id");
        ByteBuf longSid = Unpooled.buffer();
        SrtHandshake.write(longSid, 0, 0, 5, 0, 5, 1, 1500, 8192, SrtHandshake.TYPE_CONCLUSION, CALLER, 5, null);
        SrtHandshake.writeStreamIdExtension(longSid, "x".repeat(600));
        assertThatThrownBy(() -> SrtHandshake.parse(longSid)).hasMessageContaining("exceeds 512");
    }

    @Test
    void fieldSettersPatchInPlace() throws Exception {
        ByteBuf b = conclusion("live/x", 5);
        SrtHandshake.setCookie(b, 0x01020304);
        SrtHandshake.setSocketId(b, 0x0A0B0C0D);
        SrtHandshake.setPeerIp(b, InetAddress.getByName("10.1.2.3"));
        SrtHandshake hs = SrtHandshake.parse(b);
        assertThat(hs.cookie()).isEqualTo(0x01020304);
        assertThat(hs.socketId()).isEqualTo(0x0A0B0C0D);
        assertThat(b.getByte(SrtHandshake.PEER_IP_OFFSET)).as("little-endian word").isEqualTo((byte) 3);
        assertThat(SrtHandshake.peerIp(b)).isEqualTo(InetAddress.getByName("10.1.2.3"));
        SrtHandshake.setPeerIp(b, InetAddress.getByName("2001:db8::1"));
        assertThat(SrtHandshake.peerIp(b)).isEqualTo(InetAddress.getByName("2001:db8::1"));
        assertThat(hs.streamId()).isEqualTo("live/x");
    }
}
