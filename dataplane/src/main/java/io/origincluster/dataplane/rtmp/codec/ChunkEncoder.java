package io.origincluster.dataplane.rtmp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.util.collection.IntObjectHashMap;
import java.util.List;

/**
 * {@link RtmpMessage}s to chunks with this connection's own outgoing chunk size. The first chunk of a message
 * carries a fmt 0, 1 or 2 header (the shortest one that describes it against the previous message on the same
 * chunk stream); the rest are fmt 3, repeating the extended timestamp when there is one, as ffmpeg, nginx-rtmp
 * and SRS expect. Writing a Set Chunk Size message switches this encoder to the new size for what follows it.
 *
 * <p>In a pipeline, media payloads are not copied: the chunk headers go into one small pooled buffer and each
 * chunk is written as a slice of it followed by a retained slice of the payload (gathering writes send both).
 */
public final class ChunkEncoder extends MessageToMessageEncoder<RtmpMessage> {

    /** Below this, copying into one buffer is cheaper than writing slices. */
    private static final int COPY_BELOW = 1024;

    private static final class LastHeader {
        long timestamp;
        int length;
        int type;
        int streamId;
    }

    private final IntObjectHashMap<LastHeader> last = new IntObjectHashMap<>();
    private int chunkSize = 128;

    public ChunkEncoder() {
        super(RtmpMessage.class);
    }

    public int chunkSize() {
        return chunkSize;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, RtmpMessage msg, List<Object> out) {
        ByteBuf payload = msg.payload();
        int length = payload.readableBytes();
        int chunks = Math.max(1, (length + chunkSize - 1) / chunkSize);
        if (length < COPY_BELOW) {
            ByteBuf buf = ctx.alloc().ioBuffer(18 + length + (chunks - 1) * 7);
            encode(msg, buf);
            out.add(buf);
            return;
        }
        ByteBuf headers = ctx.alloc().ioBuffer(18 + (chunks - 1) * 7);
        try {
            long extended = writeFirstHeader(msg, headers);
            int headerStart = 0;
            int index = payload.readerIndex();
            int remaining = length;
            while (true) {
                out.add(headers.retainedSlice(headerStart, headers.writerIndex() - headerStart));
                int n = Math.min(chunkSize, remaining);
                out.add(payload.retainedSlice(index, n));
                index += n;
                remaining -= n;
                if (remaining == 0) {
                    break;
                }
                headerStart = headers.writerIndex();
                writeContinuationHeader(headers, msg.chunkStreamId(), extended);
            }
        } finally {
            headers.release();
        }
        afterMessage(msg);
    }

    /** Encodes one message into {@code out} (a copy); usable without a channel (load clients, benchmarks, tests). */
    public void encode(RtmpMessage msg, ByteBuf out) {
        ByteBuf payload = msg.payload();
        long extended = writeFirstHeader(msg, out);
        int index = payload.readerIndex();
        int remaining = payload.readableBytes();
        while (true) {
            int n = Math.min(chunkSize, remaining);
            out.writeBytes(payload, index, n);
            index += n;
            remaining -= n;
            if (remaining == 0) {
                break;
            }
            writeContinuationHeader(out, msg.chunkStreamId(), extended);
        }
        afterMessage(msg);
    }

    /** Writes the basic and message header of the first chunk; returns the extended timestamp, or -1 if none. */
    private long writeFirstHeader(RtmpMessage msg, ByteBuf out) {
        int csid = msg.chunkStreamId();
        if (csid < 2 || csid > 65599) {
            throw new IllegalArgumentException("chunk stream id " + csid + " out of range");
        }
        int length = msg.payload().readableBytes();
        if (length > 0xFFFFFF) {
            throw new IllegalArgumentException("message of " + length + " bytes does not fit RTMP");
        }
        long ts = msg.timestamp();
        LastHeader prev = last.get(csid);
        int fmt;
        long tsField;
        if (prev == null || prev.streamId != msg.streamId() || ts < prev.timestamp) {
            fmt = 0;
            tsField = ts;
        } else {
            tsField = ts - prev.timestamp;
            fmt = prev.type == msg.type() && prev.length == length ? 2 : 1;
        }
        if (prev == null) {
            prev = new LastHeader();
            last.put(csid, prev);
        }
        prev.timestamp = ts;
        prev.length = length;
        prev.type = msg.type();
        prev.streamId = msg.streamId();
        boolean extended = tsField >= 0xFFFFFF;
        writeBasicHeader(out, fmt, csid);
        out.writeMedium(extended ? 0xFFFFFF : (int) tsField);
        if (fmt <= 1) {
            out.writeMedium(length);
            out.writeByte(msg.type());
        }
        if (fmt == 0) {
            out.writeIntLE(msg.streamId());
        }
        if (extended) {
            out.writeInt((int) tsField);
        }
        return extended ? tsField : -1;
    }

    private static void writeContinuationHeader(ByteBuf out, int csid, long extended) {
        writeBasicHeader(out, 3, csid);
        if (extended >= 0) {
            out.writeInt((int) extended);
        }
    }

    private void afterMessage(RtmpMessage msg) {
        ByteBuf p = msg.payload();
        if (msg.type() == RtmpMessage.SET_CHUNK_SIZE && p.readableBytes() >= 4) {
            chunkSize = Math.max(1, p.getInt(p.readerIndex()) & 0x7FFF_FFFF);
        }
    }

    private static void writeBasicHeader(ByteBuf out, int fmt, int csid) {
        if (csid < 64) {
            out.writeByte((fmt << 6) | csid);
        } else if (csid < 320) {
            out.writeByte(fmt << 6);
            out.writeByte(csid - 64);
        } else {
            out.writeByte((fmt << 6) | 1);
            out.writeShortLE(csid - 64);
        }
    }
}
