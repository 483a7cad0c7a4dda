package io.origincluster.dataplane.rtmp.codec;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AMF0 values to and from Java: number = Double, boolean = Boolean, string and long string = String, object =
 * Map (LinkedHashMap, key order kept), ECMA array = {@link EcmaArray}, strict array = List, date = {@link Date},
 * null = null, undefined = {@link #UNDEFINED}. Decoding is bounded: nesting depth, element counts (never more than
 * the bytes left could hold) and string lengths (never more than the bytes left); anything malformed throws
 * {@link RtmpProtocolException}. An AMF3 value (marker 0x11, as AMF3-wrapped commands may use) is read by {@link Amf3}.
 */
public final class Amf0 {

    public static final int MAX_DEPTH = 16;

    /** AMF0 undefined, which RTMP servers answer with in some _result messages; distinct from null. */
    public static final Object UNDEFINED = new Object() {
        @Override
        public String toString() {
            return "undefined";
        }
    };

    /** An associative (ECMA) array, e.g. onMetaData's body; encodes back with marker 0x08. */
    public static final class EcmaArray extends LinkedHashMap<String, Object> {
        public EcmaArray() {
        }

        public EcmaArray(Map<String, Object> m) {
            super(m);
        }
    }

    public record Date(double millis, short timezone) {
    }

    static final int NUMBER = 0;
    static final int BOOLEAN = 1;
    static final int STRING = 2;
    static final int OBJECT = 3;
    static final int NULL = 5;
    static final int UNDEFINED_MARKER = 6;
    static final int ECMA_ARRAY = 8;
    static final int OBJECT_END = 9;
    static final int STRICT_ARRAY = 10;
    static final int DATE = 11;
    static final int LONG_STRING = 12;
    static final int XML_DOCUMENT = 15;
    static final int TYPED_OBJECT = 16;
    static final int AVMPLUS = 17;

    private Amf0() {
    }

    /** Every value left in {@code in}. */
    public static List<Object> decodeAll(ByteBuf in) {
        List<Object> values = new ArrayList<>(4);
        while (in.isReadable()) {
            values.add(decode(in));
        }
        return values;
    }

    public static Object decode(ByteBuf in) {
        return decode(in, 0);
    }

    private static Object decode(ByteBuf in, int depth) {
        if (depth > MAX_DEPTH) {
            throw new RtmpProtocolException("AMF0 nested deeper than " + MAX_DEPTH);
        }
        need(in, 1);
        int marker = in.readUnsignedByte();
        switch (marker) {
            case NUMBER:
                need(in, 8);
                return in.readDouble();
            case BOOLEAN:
                need(in, 1);
                return in.readByte() != 0;
            case STRING:
                return readString(in);
            case OBJECT:
                return readProperties(in, new LinkedHashMap<>(), depth);
            case NULL:
                return null;
            case UNDEFINED_MARKER:
                return UNDEFINED;
            case ECMA_ARRAY:
                need(in, 4);
                in.skipBytes(4); // the count is only a hint; the end marker terminates
                return readProperties(in, new EcmaArray(), depth);
            case STRICT_ARRAY: {
                need(in, 4);
                long count = in.readUnsignedInt();
                if (count > in.readableBytes()) {
                    throw new RtmpProtocolException("AMF0 strict array of " + count + " exceeds the message");
                }
                List<Object> list = new ArrayList<>((int) count);
                for (long i = 0; i < count; i++) {
                    list.add(decode(in, depth + 1));
                }
                return list;
            }
            case DATE:
                need(in, 10);
                return new Date(in.readDouble(), in.readShort());
            case LONG_STRING:
            case XML_DOCUMENT:
                return readLongString(in);
            case TYPED_OBJECT:
                readString(in); // the class name carries nothing the proxy needs
                return readProperties(in, new LinkedHashMap<>(), depth);
            case AVMPLUS:
                return Amf3.decode(in);
            default:
                throw new RtmpProtocolException("unsupported AMF0 marker " + marker);
        }
    }

    private static <M extends Map<String, Object>> M readProperties(ByteBuf in, M map, int depth) {
        while (true) {
            String key = readString(in);
            if (key.isEmpty()) {
                need(in, 1);
                int end = in.readUnsignedByte();
                if (end != OBJECT_END) {
                    throw new RtmpProtocolException("AMF0 object with an empty key not followed by object end");
                }
                return map;
            }
            map.put(key, decode(in, depth + 1));
        }
    }

    static String readString(ByteBuf in) {
        need(in, 2);
        int len = in.readUnsignedShort();
        need(in, len);
        String s = in.toString(in.readerIndex(), len, StandardCharsets.UTF_8);
        in.skipBytes(len);
        return s;
    }

    private static String readLongString(ByteBuf in) {
        need(in, 4);
        long len = in.readUnsignedInt();
        if (len > in.readableBytes()) {
            throw new RtmpProtocolException("AMF0 long string of " + len + " bytes exceeds the message");
        }
        String s = in.toString(in.readerIndex(), (int) len, StandardCharsets.UTF_8);
        in.skipBytes((int) len);
        return s;
    }

    private static void need(ByteBuf in, int n) {
        if (in.readableBytes() < n) {
            throw new RtmpProtocolException("AMF0 value truncated");
        }
    }

    public static void encodeAll(ByteBuf out, List<?> values) {
        for (Object v : values) {
            encode(out, v);
        }
    }

    @SuppressWarnings("unchecked")
    public static void encode(ByteBuf out, Object v) {
        if (v == null) {
            out.writeByte(NULL);
        } else if (v == UNDEFINED) {
            out.writeByte(UNDEFINED_MARKER);
        } else if (v instanceof Number n) {
            out.writeByte(NUMBER).writeDouble(n.doubleValue());
        } else if (v instanceof Boolean b) {
            out.writeByte(BOOLEAN).writeByte(b ? 1 : 0);
        } else if (v instanceof CharSequence s) {
            byte[] bytes = s.toString().getBytes(StandardCharsets.UTF_8);
            if (bytes.length > 0xFFFF) {
                out.writeByte(LONG_STRING).writeInt(bytes.length).writeBytes(bytes);
            } else {
                out.writeByte(STRING).writeShort(bytes.length).writeBytes(bytes);
            }
        } else if (v instanceof EcmaArray m) {
            out.writeByte(ECMA_ARRAY).writeInt(m.size());
            writeProperties(out, m);
        } else if (v instanceof Map<?, ?> m) {
            out.writeByte(OBJECT);
            writeProperties(out, (Map<String, Object>) m);
        } else if (v instanceof List<?> l) {
            out.writeByte(STRICT_ARRAY).writeInt(l.size());
            for (Object o : l) {
                encode(out, o);
            }
        } else if (v instanceof Date d) {
            out.writeByte(DATE).writeDouble(d.millis()).writeShort(d.timezone());
        } else {
            throw new IllegalArgumentException("no AMF0 form for " + v.getClass().getName());
        }
    }

    private static void writeProperties(ByteBuf out, Map<String, Object> m) {
        for (Map.Entry<String, Object> e : m.entrySet()) {
            byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
            if (key.length == 0 || key.length > 0xFFFF) {
                throw new IllegalArgumentException("AMF0 property name must be 1..65535 bytes");
            }
            out.writeShort(key.length).writeBytes(key);
            encode(out, e.getValue());
        }
        out.writeShort(0).writeByte(OBJECT_END);
    }
}
