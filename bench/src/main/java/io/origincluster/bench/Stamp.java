package io.origincluster.bench;

import io.netty.buffer.ByteBuf;

/**
 * The payload of a synthetic video message: an FLV video tag header (AVC keyframe, NALU, composition time 0, so
 * origins relay it as ordinary video), then a marker, a sequence number and the publisher's System.nanoTime() at
 * send, then zero padding to the requested size. Publisher and players share one JVM, so nanoTime differences
 * are the one-way latency.
 */
public final class Stamp {

    public static final int MARKER = 0x42_45_4E_43; // "BENC"
    public static final int MIN_SIZE = 5 + 4 + 8 + 8;

    private Stamp() {
    }

    public static void write(ByteBuf out, long seq, long sendNanos, int size) {
        if (size < MIN_SIZE) {
            throw new IllegalArgumentException("message size " + size + " below " + MIN_SIZE);
        }
        out.writeByte(0x17).writeByte(0x01).writeMedium(0);
        out.writeInt(MARKER).writeLong(seq).writeLong(sendNanos);
        out.writeZero(size - MIN_SIZE);
    }

    /** The send time embedded in {@code payload}, or -1 when it is not a stamped message. Moves no index. */
    public static long sendNanos(ByteBuf payload) {
        int i = payload.readerIndex();
        if (payload.readableBytes() < MIN_SIZE || payload.getInt(i + 5) != MARKER) {
            return -1;
        }
        return payload.getLong(i + 17);
    }

    public static long seq(ByteBuf payload) {
        int i = payload.readerIndex();
        if (payload.readableBytes() < MIN_SIZE || payload.getInt(i + 5) != MARKER) {
            return -1;
        }
        return payload.getLong(i + 9);
    }
}
