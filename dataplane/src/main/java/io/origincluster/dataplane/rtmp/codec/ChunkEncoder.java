package io.origincluster.dataplane.rtmp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import io.netty.util.collection.IntObjectHashMap;

/**
 * {@link RtmpMessage}s to chunks with this connection's own outgoing chunk size. The first chunk of a message
 * carries a fmt 0, 1 or 2 header (the shortest one that describes it against the previous message on the same
 * chunk stream); the rest are fmt 3, repeating the extended timestamp when there is one, as ffmpeg, nginx-rtmp
 * and SRS expect. Writing a Set Chunk Size message switches this encoder to the new size for what follows it.
 */
public final class ChunkEncoder extends MessageToByteEncoder<RtmpMessage> {

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
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, RtmpMessage msg, boolean preferDirect) {
        int len = msg.payload().readableBytes();
        int chunks = Math.max(1, (len + chunkSize - 1) / chunkSize);
        return ctx.alloc().ioBuffer(18 + len + (chunks - 1) * 7);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, RtmpMessage msg, ByteBuf out) {
        encode(msg, out);
    }

    /** Encodes one message into {@code out}; usable without a channel (load clients, benchmarks, tests). */
    public void encode(RtmpMessage msg, ByteBuf out) {
        int csid = msg.chunkStreamId();
        if (csid < 2 || csid > 65599) {
            throw new IllegalArgumentException("chunk stream id " + csid + " out of range");
        }
        ByteBuf payload = msg.payload();
        int length = payload.readableBytes();
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
        int index = payload.readerIndex();
        int remaining = length;
        int size = chunkSize;
        while (true) {
            int n = Math.min(size, remaining);
            out.writeBytes(payload, index, n);
            index += n;
            remaining -= n;
            if (remaining == 0) {
                break;
            }
            writeBasicHeader(out, 3, csid);
            if (extended) {
                out.writeInt((int) tsField);
            }
        }
        if (msg.type() == RtmpMessage.SET_CHUNK_SIZE && length >= 4) {
            chunkSize = Math.max(1, payload.getInt(payload.readerIndex()) & 0x7FFF_FFFF);
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
