package io.origincluster.dataplane.srt;

import io.netty.buffer.ByteBuf;

/**
 * The 16-byte header every SRT datagram starts with, read and patched in place on the pooled buffer (the relay
 * path never copies a packet). Word 0: F bit (1 = control), then the sequence number (data) or control type and
 * subtype; word 1: message number or type-specific info; word 2: timestamp; word 3: destination socket id.
 */
public final class SrtPacket {

    public static final int HEADER_SIZE = 16;
    public static final int DEST_SOCKET_OFFSET = 12;

    public static final int TYPE_HANDSHAKE = 0;
    public static final int TYPE_KEEPALIVE = 1;
    public static final int TYPE_ACK = 2;
    public static final int TYPE_NAK = 3;
    public static final int TYPE_SHUTDOWN = 5;
    public static final int TYPE_ACKACK = 6;
    /** Extended control messages (key-material refresh etc.), relayed untouched. */
    public static final int TYPE_USER = 0x7FFF;

    private SrtPacket() {
    }

    /** True when the datagram is long enough to carry a header; shorter ones are dropped unread. */
    public static boolean hasHeader(ByteBuf buf) {
        return buf.readableBytes() >= HEADER_SIZE;
    }

    public static boolean isControl(ByteBuf buf) {
        return (buf.getByte(buf.readerIndex()) & 0x80) != 0;
    }

    /** Control type (15 bits); only meaningful when {@link #isControl}. */
    public static int controlType(ByteBuf buf) {
        return buf.getUnsignedShort(buf.readerIndex()) & 0x7FFF;
    }

    public static int subtype(ByteBuf buf) {
        return buf.getUnsignedShort(buf.readerIndex() + 2);
    }

    public static int timestamp(ByteBuf buf) {
        return buf.getInt(buf.readerIndex() + 8);
    }

    public static int destSocketId(ByteBuf buf) {
        return buf.getInt(buf.readerIndex() + DEST_SOCKET_OFFSET);
    }

    public static void setDestSocketId(ByteBuf buf, int socketId) {
        buf.setInt(buf.readerIndex() + DEST_SOCKET_OFFSET, socketId);
    }

    public static boolean isHandshake(ByteBuf buf) {
        return isControl(buf) && controlType(buf) == TYPE_HANDSHAKE;
    }

    public static boolean isShutdown(ByteBuf buf) {
        return isControl(buf) && controlType(buf) == TYPE_SHUTDOWN;
    }

    /** Writes a control packet header (type, subtype, info, timestamp, destination). */
    public static void writeControlHeader(ByteBuf out, int type, int subtype, int info, int timestamp, int dest) {
        out.writeShort(0x8000 | (type & 0x7FFF));
        out.writeShort(subtype);
        out.writeInt(info);
        out.writeInt(timestamp);
        out.writeInt(dest);
    }

    /** A SHUTDOWN as libsrt sends it: header plus four bytes of padding. */
    public static ByteBuf shutdown(io.netty.buffer.ByteBufAllocator alloc, int timestamp, int dest) {
        ByteBuf out = alloc.buffer(HEADER_SIZE + 4);
        writeControlHeader(out, TYPE_SHUTDOWN, 0, 0, timestamp, dest);
        out.writeInt(0);
        return out;
    }
}
