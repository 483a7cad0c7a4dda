package io.origincluster.dataplane.rtmp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.collection.IntObjectHashMap;
import java.util.List;

/**
 * Bytes to {@link RtmpMessage}s: chunk basic and message headers (fmt 0-3), extended timestamps, interleaved
 * chunk streams, the peer's Set Chunk Size and Abort (applied here, because they change how the next bytes
 * parse, and still passed on so the session sees them). Input is parsed chunk by chunk; a chunk is consumed only
 * when it is complete, so nothing is buffered beyond one chunk plus the messages being reassembled, and those are
 * bounded by {@link ChunkLimits}. A single-chunk message is a retained slice of the input, not a copy.
 */
public final class ChunkDecoder extends ByteToMessageDecoder {

    private static final class ChunkStream {
        long timestamp;
        long delta;
        int length;
        int type;
        int streamId;
        boolean extended;
        boolean started;
        ByteBuf partial;
    }

    private final ChunkLimits limits;
    private final IntObjectHashMap<ChunkStream> streams = new IntObjectHashMap<>();
    private int chunkSize = 128;
    private long bytesRead;
    private boolean failed;

    public ChunkDecoder(ChunkLimits limits) {
        this.limits = limits;
    }

    public ChunkDecoder() {
        this(ChunkLimits.DEFAULT);
    }

    /** Bytes of chunk data consumed so far, for acknowledgements. */
    public long bytesRead() {
        return bytesRead;
    }

    public int chunkSize() {
        return chunkSize;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            while (in.isReadable()) {
                int start = in.readerIndex();
                if (!decodeChunk(ctx, in, out)) {
                    in.readerIndex(start);
                    return;
                }
                bytesRead += in.readerIndex() - start;
            }
        } catch (RtmpProtocolException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    /** Parses one chunk; returns false (consuming nothing that counts) when the chunk is not complete yet. */
    private boolean decodeChunk(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int b0 = in.readUnsignedByte();
        int fmt = b0 >>> 6;
        int csid = b0 & 0x3F;
        if (csid == 0) {
            if (!in.isReadable()) {
                return false;
            }
            csid = 64 + in.readUnsignedByte();
        } else if (csid == 1) {
            if (in.readableBytes() < 2) {
                return false;
            }
            csid = 64 + in.readUnsignedByte() + (in.readUnsignedByte() << 8);
        }
        int headerSize = fmt == 0 ? 11 : fmt == 1 ? 7 : fmt == 2 ? 3 : 0;
        if (in.readableBytes() < headerSize) {
            return false;
        }
        ChunkStream cs = streams.get(csid);
        if (cs == null && fmt >= 2) {
            throw new RtmpProtocolException("chunk stream " + csid + " starts with fmt " + fmt);
        }
        long tsField = 0;
        int length = cs == null ? 0 : cs.length;
        int type = cs == null ? 0 : cs.type;
        int streamId = cs == null ? 0 : cs.streamId;
        if (fmt <= 2) {
            tsField = in.readUnsignedMedium();
        }
        if (fmt <= 1) {
            length = in.readUnsignedMedium();
            type = in.readUnsignedByte();
        }
        if (fmt == 0) {
            streamId = in.readIntLE();
        }
        boolean extended = fmt <= 2 ? tsField == 0xFFFFFF : cs.extended;
        boolean continuation = cs != null && cs.partial != null;
        if (fmt <= 2 && continuation) {
            throw new RtmpProtocolException("new message header on chunk stream " + csid + " mid-message");
        }
        if (extended) {
            if (in.readableBytes() < 4) {
                return false;
            }
            long ext = in.getUnsignedInt(in.readerIndex());
            if (fmt == 3 && continuation && ext != cs.delta && ext != cs.timestamp) {
                // Some encoders do not repeat the extended timestamp on continuation chunks.
                ext = -1;
            } else {
                in.skipBytes(4);
            }
            if (fmt <= 2 || ext >= 0) {
                tsField = ext;
            }
        }
        if (length > limits.maxMessageSize()) {
            throw new RtmpProtocolException("message of " + length + " bytes exceeds " + limits.maxMessageSize());
        }
        int have = continuation ? cs.partial.writerIndex() : 0;
        int take = Math.min(chunkSize, length - have);
        if (in.readableBytes() < take) {
            return false;
        }
        if (cs == null) {
            if (streams.size() >= limits.maxChunkStreams()) {
                throw new RtmpProtocolException("more than " + limits.maxChunkStreams() + " chunk streams");
            }
            cs = new ChunkStream();
            streams.put(csid, cs);
        }
        if (!continuation) {
            switch (fmt) {
                case 0 -> {
                    cs.timestamp = tsField;
                    cs.delta = tsField;
                }
                case 1, 2 -> {
                    cs.delta = tsField;
                    cs.timestamp = (cs.timestamp + tsField) & 0xFFFF_FFFFL;
                }
                default -> {
                    if (!cs.started) {
                        throw new RtmpProtocolException("chunk stream " + csid + " starts with fmt 3");
                    }
                    if (extended) {
                        cs.delta = tsField;
                    }
                    cs.timestamp = (cs.timestamp + cs.delta) & 0xFFFF_FFFFL;
                }
            }
            cs.length = length;
            cs.type = type;
            cs.streamId = streamId;
            cs.extended = extended;
            cs.started = true;
            if (take == length) {
                emit(ctx, in, cs, csid, in.readRetainedSlice(take), out);
                return true;
            }
            cs.partial = ctx.alloc().buffer(Math.min(length, 4 * chunkSize), length);
        }
        cs.partial.writeBytes(in, take);
        if (cs.partial.writerIndex() == cs.length) {
            ByteBuf payload = cs.partial;
            cs.partial = null;
            emit(ctx, in, cs, csid, payload, out);
        }
        return true;
    }

    private void emit(ChannelHandlerContext ctx, ByteBuf in, ChunkStream cs, int csid, ByteBuf payload,
                      List<Object> out) {
        RtmpMessage m = new RtmpMessage(csid, cs.type, cs.timestamp, cs.streamId, payload);
        if (cs.type == RtmpMessage.SET_CHUNK_SIZE || cs.type == RtmpMessage.ABORT) {
            long value;
            try {
                value = ControlMessages.readUInt32(m);
            } catch (RtmpProtocolException e) {
                m.release();
                throw e;
            }
            if (cs.type == RtmpMessage.SET_CHUNK_SIZE) {
                long size = value & 0x7FFF_FFFFL;
                if (size < 1 || size > limits.maxChunkSize()) {
                    m.release();
                    throw new RtmpProtocolException("peer chunk size " + size + " outside 1.." + limits.maxChunkSize());
                }
                chunkSize = (int) size;
            } else {
                ChunkStream aborted = streams.get((int) value);
                if (aborted != null && aborted.partial != null) {
                    aborted.partial.release();
                    aborted.partial = null;
                }
            }
        }
        out.add(m);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        for (ChunkStream cs : streams.values()) {
            if (cs.partial != null) {
                cs.partial.release();
                cs.partial = null;
            }
        }
        streams.clear();
    }
}
