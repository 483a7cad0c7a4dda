package io.origincluster.dataplane.rtmp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Builders and readers for protocol control (types 1-6) and user control (type 4) messages, all on csid 2. */
public final class ControlMessages {

    public static final int CONTROL_CSID = 2;

    public static final int STREAM_BEGIN = 0;
    public static final int STREAM_EOF = 1;
    public static final int STREAM_DRY = 2;
    public static final int SET_BUFFER_LENGTH = 3;
    public static final int STREAM_IS_RECORDED = 4;
    public static final int PING_REQUEST = 6;
    public static final int PING_RESPONSE = 7;

    private ControlMessages() {
    }

    public static RtmpMessage setChunkSize(ByteBufAllocator alloc, int size) {
        return int32(alloc, RtmpMessage.SET_CHUNK_SIZE, size & 0x7FFF_FFFF);
    }

    public static RtmpMessage ack(ByteBufAllocator alloc, long sequence) {
        return int32(alloc, RtmpMessage.ACK, (int) sequence);
    }

    public static RtmpMessage windowAckSize(ByteBufAllocator alloc, int size) {
        return int32(alloc, RtmpMessage.WINDOW_ACK_SIZE, size);
    }

    /** limitType 2 = dynamic. */
    public static RtmpMessage setPeerBandwidth(ByteBufAllocator alloc, int size, int limitType) {
        ByteBuf b = alloc.buffer(5);
        b.writeInt(size).writeByte(limitType);
        return new RtmpMessage(CONTROL_CSID, RtmpMessage.SET_PEER_BANDWIDTH, 0, 0, b);
    }

    public static RtmpMessage userControl(ByteBufAllocator alloc, int event, int value) {
        ByteBuf b = alloc.buffer(6);
        b.writeShort(event).writeInt(value);
        return new RtmpMessage(CONTROL_CSID, RtmpMessage.USER_CONTROL, 0, 0, b);
    }

    private static RtmpMessage int32(ByteBufAllocator alloc, int type, int value) {
        ByteBuf b = alloc.buffer(4);
        b.writeInt(value);
        return new RtmpMessage(CONTROL_CSID, type, 0, 0, b);
    }

    /** The 32-bit value of a type 1, 2, 3 or 5 message; a short payload is a protocol error. */
    public static long readUInt32(RtmpMessage m) {
        ByteBuf p = m.payload();
        if (p.readableBytes() < 4) {
            throw new RtmpProtocolException("control message type " + m.type() + " shorter than 4 bytes");
        }
        return p.getUnsignedInt(p.readerIndex());
    }

    /** The event type of a user control message, or -1 when it is too short to have one. */
    public static int userControlEvent(RtmpMessage m) {
        ByteBuf p = m.payload();
        return p.readableBytes() < 2 ? -1 : p.getUnsignedShort(p.readerIndex());
    }
}
