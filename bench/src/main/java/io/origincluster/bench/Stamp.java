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
        write(out, seq, sendNanos, size, true);
    }

    /**
     * A stamped frame that a splice can tell apart: an AVC keyframe (frame type 1) or an inter frame (frame type
     * 2), both AVCPacketType 1 (NALU). Players read the stamp the same way for both.
     */
    public static void write(ByteBuf out, long seq, long sendNanos, int size, boolean keyframe) {
        if (size < MIN_SIZE) {
            throw new IllegalArgumentException("message size " + size + " below " + MIN_SIZE);
        }
        out.writeByte(keyframe ? 0x17 : 0x27).writeByte(0x01).writeMedium(0);
        out.writeInt(MARKER).writeLong(seq).writeLong(sendNanos);
        out.writeZero(size - MIN_SIZE);
    }

    /**
     * An AVC sequence header (keyframe, AVCPacketType 0) with a small but well-formed decoder configuration record:
     * Baseline profile, level 3.0, 4-byte NALU lengths, one SPS (320x240, frame_mbs_only, no VUI) and one PPS (CAVLC,
     * no slice groups). Origins parse it like a real encoder's; it carries no stamp.
     */
    public static void writeAvcConfig(ByteBuf out) {
        byte[] sps = {0x67, 0x42, (byte) 0xC0, 0x1E, (byte) 0xDA, 0x05, 0x07, (byte) 0xE4};
        byte[] pps = {0x68, (byte) 0xCE, 0x3C, (byte) 0x80};
        out.writeByte(0x17).writeByte(0x00).writeMedium(0);
        out.writeByte(1).writeByte(sps[1]).writeByte(sps[2]).writeByte(sps[3]); // version, profile, compat, level
        out.writeByte(0xFF).writeByte(0xE1); // lengthSizeMinusOne = 3, one SPS
        out.writeShort(sps.length).writeBytes(sps);
        out.writeByte(1).writeShort(pps.length).writeBytes(pps);
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
