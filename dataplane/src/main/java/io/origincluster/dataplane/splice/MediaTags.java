package io.origincluster.dataplane.splice;

import io.netty.buffer.ByteBuf;

/**
 * What a splice needs to know about one FLV tag or RTMP media message (they share types and payloads): keyframes,
 * codec configuration and metadata. Legacy FLV (AVC, HEVC as codec 12, AAC) and enhanced RTMP (the video
 * {@code IsExHeader} bit with a FourCC) are recognised; everything else is plain media.
 */
public final class MediaTags {

    public static final int AUDIO = 8;
    public static final int VIDEO = 9;
    public static final int SCRIPT = 18;

    private static final int FRAME_KEY = 1;
    private static final int CODEC_AVC = 7;
    private static final int CODEC_HEVC = 12;
    private static final int SOUND_AAC = 10;
    private static final int EX_SEQUENCE_START = 0;
    private static final int EX_MPEG2TS_SEQUENCE_START = 5;

    private MediaTags() {
    }

    /** A video frame a decoder can start from (not a sequence header). */
    public static boolean isVideoKeyframe(ByteBuf p) {
        if (!p.isReadable()) {
            return false;
        }
        int b = p.getUnsignedByte(p.readerIndex());
        boolean ex = (b & 0x80) != 0;
        int frameType = ex ? (b >> 4) & 0x07 : b >> 4;
        return frameType == FRAME_KEY && !isVideoConfig(p);
    }

    /** AVC/HEVC decoder configuration (AVCPacketType 0, or an enhanced SequenceStart). */
    public static boolean isVideoConfig(ByteBuf p) {
        if (p.readableBytes() < 2) {
            return false;
        }
        int b = p.getUnsignedByte(p.readerIndex());
        if ((b & 0x80) != 0) {
            int packetType = b & 0x0f;
            return packetType == EX_SEQUENCE_START || packetType == EX_MPEG2TS_SEQUENCE_START;
        }
        int codec = b & 0x0f;
        return (codec == CODEC_AVC || codec == CODEC_HEVC) && p.getUnsignedByte(p.readerIndex() + 1) == 0;
    }

    /** The AAC AudioSpecificConfig (AACPacketType 0). */
    public static boolean isAudioConfig(ByteBuf p) {
        return p.readableBytes() >= 2 && p.getUnsignedByte(p.readerIndex()) >> 4 == SOUND_AAC
                && p.getUnsignedByte(p.readerIndex() + 1) == 0;
    }

    /** Script data carrying {@code onMetaData} (plain, or wrapped in {@code @setDataFrame} by a publisher). */
    public static boolean isMetadata(ByteBuf p) {
        int n = Math.min(p.readableBytes(), 64);
        for (int i = 0; i + 10 <= n; i++) {
            if (p.getByte(p.readerIndex() + i) == 'o' && matches(p, p.readerIndex() + i, "onMetaData")) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(ByteBuf p, int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (p.getByte(at + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
