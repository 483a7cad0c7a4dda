package io.origincluster.dataplane.rtsp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One {@code $}-framed packet of RTP or RTCP over the RTSP connection (RFC 2326 10.12). {@link #content()} is the
 * whole frame, its 4-byte header included, so relaying it is a write of the same bytes.
 */
public final class InterleavedFrame extends DefaultByteBufHolder {

    public static final int HEADER = 4;

    private final int channel;

    public InterleavedFrame(int channel, ByteBuf wholeFrame) {
        super(wholeFrame);
        this.channel = channel;
    }

    public int channel() {
        return channel;
    }

    /** Payload bytes (the RTP or RTCP packet). */
    public int length() {
        return content().readableBytes() - HEADER;
    }
}
