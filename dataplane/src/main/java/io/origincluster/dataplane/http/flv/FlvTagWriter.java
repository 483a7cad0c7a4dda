package io.origincluster.dataplane.http.flv;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Frames tags for one client: one FLV file header, then every tag with the timestamp it is given and a correct
 * PreviousTagSize, however many origin legs the tags came from. Output collects in one flat batch buffer the caller
 * takes with {@link #take()} and writes: the tag data is copied in, so a batch is one buffer (one iovec, one
 * release) instead of a composite of a 15-byte framing buffer and a slice per tag, and the origin's read buffers are
 * freed at once. Each batch starts with {@code headroom} unused bytes, so the caller can put its own framing (an
 * HTTP chunk-size line) in front without another buffer.
 */
public final class FlvTagWriter {

    /** Past this many bytes a batch should be handed out even if the caller has not asked yet. */
    static final int MAX_BATCH = 64 * 1024;
    private static final int FIRST_CAPACITY = 8 * 1024;

    private final ByteBufAllocator alloc;
    private final int headroom;
    private ByteBuf batch;
    private boolean headerSent;
    private long previousTagSize;
    private long tags;

    public FlvTagWriter(ByteBufAllocator alloc) {
        this(alloc, 0);
    }

    /** @param headroom bytes left free in front of every batch for the caller's framing */
    public FlvTagWriter(ByteBufAllocator alloc, int headroom) {
        this.alloc = alloc;
        this.headroom = headroom;
    }

    public boolean headerSent() {
        return headerSent;
    }

    public long tags() {
        return tags;
    }

    /** The FLV file header with the origin's type flags; only the first call writes anything. */
    public void header(int flags) {
        if (headerSent) {
            return;
        }
        headerSent = true;
        out(9).writeByte('F').writeByte('L').writeByte('V').writeByte(1).writeByte(flags & 0x05).writeInt(9);
    }

    /**
     * One tag; takes ownership of {@code data} (released here). A tag before any header gets a default header
     * (audio and video) first, so the client always sees a well-formed file.
     */
    public void tag(int type, long timestamp, ByteBuf data) {
        try {
            if (!headerSent) {
                header(0x05);
            }
            int size = data.readableBytes();
            ByteBuf b = out(15 + size);
            b.writeInt((int) previousTagSize);
            b.writeByte(type);
            b.writeMedium(size);
            b.writeMedium((int) (timestamp & 0xFFFFFF));
            b.writeByte((int) (timestamp >>> 24) & 0xff);
            b.writeMedium(0);
            b.writeBytes(data, data.readerIndex(), size);
            previousTagSize = 11 + size;
            tags++;
        } finally {
            data.release();
        }
    }

    /** The last tag's PreviousTagSize, which closes the file: written once the response ends. */
    public void end() {
        if (headerSent) {
            out(4).writeInt((int) previousTagSize);
        }
    }

    /** True when the batch should be written now (it has grown large). */
    public boolean full() {
        return batch != null && batch.readableBytes() >= MAX_BATCH;
    }

    /**
     * What was framed since the last call, or null if nothing; the caller owns it. Its reader index is at the first
     * framed byte, with {@code headroom} writable bytes before it.
     */
    public ByteBuf take() {
        ByteBuf b = batch;
        batch = null;
        return b;
    }

    /** Drops what was framed and not taken. */
    public void discard() {
        if (batch != null) {
            batch.release();
            batch = null;
        }
    }

    /** The batch, with room for {@code n} more bytes (and two spare for a trailer the caller may add). */
    private ByteBuf out(int n) {
        if (batch == null) {
            batch = alloc.directBuffer(Math.max(FIRST_CAPACITY, headroom + n + 2));
            batch.writerIndex(headroom).readerIndex(headroom);
        } else {
            batch.ensureWritable(n + 2);
        }
        return batch;
    }
}
