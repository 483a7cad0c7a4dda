package io.origincluster.dataplane.rtmp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One reassembled RTMP message: chunk stream id, message type, absolute 32-bit timestamp, message stream id and
 * the payload (reference counted; whoever receives a message owns one reference).
 */
public final class RtmpMessage extends DefaultByteBufHolder {

    public static final int SET_CHUNK_SIZE = 1;
    public static final int ABORT = 2;
    public static final int ACK = 3;
    public static final int USER_CONTROL = 4;
    public static final int WINDOW_ACK_SIZE = 5;
    public static final int SET_PEER_BANDWIDTH = 6;
    public static final int AUDIO = 8;
    public static final int VIDEO = 9;
    public static final int DATA_AMF3 = 15;
    public static final int SHARED_OBJECT_AMF3 = 16;
    public static final int COMMAND_AMF3 = 17;
    public static final int DATA_AMF0 = 18;
    public static final int SHARED_OBJECT_AMF0 = 19;
    public static final int COMMAND_AMF0 = 20;
    public static final int AGGREGATE = 22;

    private final int chunkStreamId;
    private final int type;
    private final long timestamp;
    private final int streamId;

    public RtmpMessage(int chunkStreamId, int type, long timestamp, int streamId, ByteBuf payload) {
        super(payload);
        this.chunkStreamId = chunkStreamId;
        this.type = type;
        this.timestamp = timestamp & 0xFFFF_FFFFL;
        this.streamId = streamId;
    }

    public int chunkStreamId() {
        return chunkStreamId;
    }

    public int type() {
        return type;
    }

    public long timestamp() {
        return timestamp;
    }

    public int streamId() {
        return streamId;
    }

    public ByteBuf payload() {
        return content();
    }

    /** Protocol control messages (types 1-6) describe one connection and never cross to another leg as-is. */
    public boolean isProtocolControl() {
        return type >= SET_CHUNK_SIZE && type <= SET_PEER_BANDWIDTH;
    }

    public boolean isCommand() {
        return type == COMMAND_AMF0 || type == COMMAND_AMF3;
    }

    /** The same payload (ownership moves, no copy) addressed to another message stream. */
    public RtmpMessage withStreamId(int newStreamId) {
        return new RtmpMessage(chunkStreamId, type, timestamp, newStreamId, content());
    }

    /** A second reference to the same bytes, with its own indexes. */
    @Override
    public RtmpMessage retainedDuplicate() {
        return replace(content().retainedDuplicate());
    }

    @Override
    public RtmpMessage replace(ByteBuf content) {
        return new RtmpMessage(chunkStreamId, type, timestamp, streamId, content);
    }

    @Override
    public RtmpMessage retain() {
        super.retain();
        return this;
    }

    @Override
    public String toString() {
        return "RtmpMessage(csid=" + chunkStreamId + ", type=" + type + ", ts=" + timestamp + ", sid=" + streamId
                + ", len=" + content().readableBytes() + ")";
    }
}
