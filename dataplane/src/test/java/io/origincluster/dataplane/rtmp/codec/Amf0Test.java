package io.origincluster.dataplane.rtmp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Amf0Test {

    @Test
    void roundTripsEveryType() {
        Map<String, Object> obj = new LinkedHashMap<>();
        obj.put("app", "live");
        obj.put("objectEncoding", 0.0);
        obj.put("fpad", false);
        Amf0.EcmaArray ecma = new Amf0.EcmaArray();
        ecma.put("width", 1280.0);
        ecma.put("nested", new LinkedHashMap<>(Map.of("k", "v")));
        List<Object> values = Arrays.asList(1.5, true, "hello", "x".repeat(70000), obj, null, Amf0.UNDEFINED, ecma,
                new ArrayList<>(Arrays.asList(1.0, "two", null)), new Amf0.Date(1.7e12, (short) 0));
        ByteBuf buf = Unpooled.buffer();
        Amf0.encodeAll(buf, values);
        assertThat(buf.getByte(9 + 2 + 8)).isEqualTo((byte) 12); // number, boolean, "hello", then a long string
        List<Object> back = Amf0.decodeAll(buf);
        assertThat(back).hasSize(values.size());
        for (int i = 0; i < values.size(); i++) {
            assertThat(back.get(i)).isEqualTo(values.get(i));
        }
        assertThat(back.get(7)).isInstanceOf(Amf0.EcmaArray.class);
        assertThat(back.get(6)).isSameAs(Amf0.UNDEFINED);
    }

    private static void assertBad(String why, int... bytes) {
        ByteBuf b = Unpooled.buffer();
        for (int x : bytes) {
            b.writeByte(x);
        }
        assertThatThrownBy(() -> Amf0.decodeAll(b)).isInstanceOf(RtmpProtocolException.class)
                .hasMessageContaining(why);
    }

    @Test
    void rejectsMalformedInput() {
        assertBad("truncated", 0, 1, 2);                          // number with 2 of 8 bytes
        assertBad("truncated", 2, 0, 10, 'a');                    // string longer than the message
        assertBad("truncated", 3, 0, 1, 'a', 0, 0);               // object never ends
        assertBad("object end", 3, 0, 0, 7);                      // empty key not followed by 0x09
        assertBad("marker", 0x0D);                                // unsupported
        assertBad("marker", 0x07, 0, 1);                          // references are not supported
        assertBad("exceeds", 10, 0x7F, 0xFF, 0xFF, 0xFF);         // strict array count beyond the bytes
        assertBad("exceeds", 12, 0x7F, 0xFF, 0xFF, 0xFF, 'a');    // long string beyond the bytes
    }

    @Test
    void boundsNesting() {
        ByteBuf b = Unpooled.buffer();
        for (int i = 0; i < 100; i++) {
            b.writeByte(10).writeInt(1); // strict array of one strict array of ...
        }
        b.writeByte(5);
        assertThatThrownBy(() -> Amf0.decode(b)).isInstanceOf(RtmpProtocolException.class)
                .hasMessageContaining("nested");
    }

    @Test
    void decodesAmf3WrappedCommandsWithAmf3Values() {
        ByteBuf p = Unpooled.buffer();
        p.writeByte(0); // AMF3 command format byte
        Amf0.encode(p, "publish");
        Amf0.encode(p, 5.0);
        Amf0.encode(p, null);
        p.writeByte(0x11).writeByte(0x06).writeByte((3 << 1) | 1).writeBytes("cam".getBytes()); // AMF3 string
        p.writeByte(0x11).writeByte(0x04).writeByte(0x7F); // AMF3 integer 127
        RtmpMessage m = new RtmpMessage(3, RtmpMessage.COMMAND_AMF3, 0, 1, p);
        RtmpCommand c = RtmpCommand.decode(m);
        assertThat(c.name()).isEqualTo("publish");
        assertThat(c.transactionId()).isEqualTo(5.0);
        assertThat(c.stringArg(0)).isEqualTo("cam");
        assertThat(c.args().get(1)).isEqualTo(127.0);
        assertThat(m.payload().readerIndex()).isZero();
        m.release();
    }

    @Test
    void commandRoundTripAndBadCommands() {
        RtmpCommand c = RtmpCommand.of("connect", 1, Map.of("app", "live", "tcUrl", "rtmp://h/live"));
        RtmpMessage m = c.toMessage(ByteBufAllocator.DEFAULT, 3, 0);
        assertThat(RtmpCommand.decode(m)).isEqualTo(c);
        m.release();
        ByteBuf notString = Unpooled.buffer();
        Amf0.encode(notString, 1.0);
        RtmpMessage bad = new RtmpMessage(3, RtmpMessage.COMMAND_AMF0, 0, 0, notString);
        assertThatThrownBy(() -> RtmpCommand.decode(bad)).isInstanceOf(RtmpProtocolException.class);
        bad.release();
    }
}
