package io.origincluster.dataplane.rtmp.codec;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The AMF3 values that appear inside AMF3-wrapped RTMP commands from real clients: undefined, null, booleans,
 * integers, doubles and strings (inline only). Complex AMF3 values (objects, arrays, references) are rejected:
 * RTMP command names, transaction ids and stream names never need them.
 */
public final class Amf3 {

    private Amf3() {
    }

    public static Object decode(ByteBuf in) {
        if (!in.isReadable()) {
            throw new RtmpProtocolException("AMF3 value truncated");
        }
        int marker = in.readUnsignedByte();
        return switch (marker) {
            case 0x00 -> Amf0.UNDEFINED;
            case 0x01 -> null;
            case 0x02 -> Boolean.FALSE;
            case 0x03 -> Boolean.TRUE;
            case 0x04 -> (double) signed29(readU29(in));
            case 0x05 -> {
                if (in.readableBytes() < 8) {
                    throw new RtmpProtocolException("AMF3 double truncated");
                }
                yield in.readDouble();
            }
            case 0x06 -> readString(in);
            default -> throw new RtmpProtocolException("unsupported AMF3 marker " + marker);
        };
    }

    private static String readString(ByteBuf in) {
        int header = readU29(in);
        if ((header & 1) == 0) {
            throw new RtmpProtocolException("AMF3 string references are not supported");
        }
        int len = header >>> 1;
        if (len > in.readableBytes()) {
            throw new RtmpProtocolException("AMF3 string of " + len + " bytes exceeds the message");
        }
        String s = in.toString(in.readerIndex(), len, StandardCharsets.UTF_8);
        in.skipBytes(len);
        return s;
    }

    private static int readU29(ByteBuf in) {
        int value = 0;
        for (int i = 0; i < 4; i++) {
            if (!in.isReadable()) {
                throw new RtmpProtocolException("AMF3 integer truncated");
            }
            int b = in.readUnsignedByte();
            if (i == 3) {
                return (value << 8) | b;
            }
            value = (value << 7) | (b & 0x7F);
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        return value;
    }

    private static int signed29(int v) {
        return (v & 0x1000_0000) != 0 ? v - 0x2000_0000 : v;
    }
}
