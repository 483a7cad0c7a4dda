package io.origincluster.dataplane.http.flv;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/**
 * Frames tags for one client: one FLV file header, then every tag with the timestamp it is given and a correct
 * PreviousTagSize, however many origin legs the tags came from. A tag's data is appended as it is (a slice of what
 * the origin sent); only its 15 bytes of framing (the previous tag's size, then its own header) are new.
 * Output collects in a batch the caller takes with {@link #take()} and writes.
 */
public final class FlvTagWriter {

    /** Past this many pieces a batch is handed out even if the caller has not asked yet. */
    static final int MAX_COMPONENTS = 256;

    private final ByteBufAllocator alloc;
    private CompositeByteBuf batch;
    private boolean headerSent;
    private long previousTagSize;
    private long tags;

    public FlvTagWriter(ByteBufAllocator alloc) {
        this.alloc = alloc;
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
        ByteBuf h = alloc.buffer(9, 9);
        h.writeByte('F').writeByte('L').writeByte('V').writeByte(1).writeByte(flags & 0x05).writeInt(9);
        append(h);
    }

    /**
     * One tag; takes ownership of {@code data}. A tag before any header gets a default header (audio and video)
     * first, so the client always sees a well-formed file.
     */
    public void tag(int type, long timestamp, ByteBuf data) {
        if (!headerSent) {
            header(0x05);
        }
        int size = data.readableBytes();
        ByteBuf h = alloc.buffer(15, 15);
        h.writeInt((int) previousTagSize);
        h.writeByte(type);
        h.writeMedium(size);
        h.writeMedium((int) (timestamp & 0xFFFFFF));
        h.writeByte((int) (timestamp >>> 24) & 0xff);
        h.writeMedium(0);
        append(h);
        append(data);
        previousTagSize = 11 + size;
        tags++;
    }

    /** The last tag's PreviousTagSize, which closes the file: written once the response ends. */
    public void end() {
        if (headerSent) {
            ByteBuf t = alloc.buffer(4, 4);
            t.writeInt((int) previousTagSize);
            append(t);
        }
    }

    /** True when the batch should be written now (it has grown large). */
    public boolean full() {
        return batch != null && batch.numComponents() >= MAX_COMPONENTS - 2;
    }

    /** What was framed since the last call, or null if nothing; the caller owns it. */
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

    private void append(ByteBuf b) {
        if (batch == null) {
            batch = alloc.compositeBuffer(MAX_COMPONENTS);
        }
        batch.addComponent(true, b);
    }
}
