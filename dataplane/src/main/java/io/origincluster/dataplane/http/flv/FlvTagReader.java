package io.origincluster.dataplane.http.flv;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.origincluster.dataplane.splice.MediaTags;

/**
 * Cuts an FLV byte stream, arriving in pieces of any size, into its file header and tags. A tag that lies whole in
 * one piece is handed on as a slice of that piece (no copy); only a tag split across pieces is gathered into a
 * buffer of exactly its size. So the reader holds at most one tag, and a tag may not be larger than
 * {@code maxTagData} bytes of data: anything else (no {@code FLV} signature, an unknown tag type, a
 * PreviousTagSize that does not match its tag) is an error, after which the reader accepts nothing more.
 *
 * <p>Not thread-safe: one reader per origin leg, on that leg's event loop.
 */
public final class FlvTagReader {

    /** Largest tag data accepted by default: far above any real frame, far below what would hurt the proxy. */
    public static final int DEFAULT_MAX_TAG_DATA = 8 << 20;
    /** Largest FLV header (the DataOffset field): 9 bytes today; a little room for future versions. */
    static final int MAX_HEADER_SIZE = 1024;

    private static final int FILE_PREFIX = 9;
    private static final int TAG_HEADER = 11;
    private static final int TAG_TRAILER = 4;

    /** Receives what the reader finds, in stream order. */
    public interface Sink {
        /** The FLV file header: {@code flags} is its TypeFlags byte (4 audio, 1 video). Once per stream. */
        void header(int flags);

        /**
         * One tag of {@code type} ({@link MediaTags#AUDIO}, {@link MediaTags#VIDEO}, {@link MediaTags#SCRIPT}) with
         * its 32-bit timestamp in milliseconds. {@code data} is the tag's data; the callee owns it (releases it).
         */
        void tag(int type, long timestamp, ByteBuf data);
    }

    private final ByteBufAllocator alloc;
    private final int maxTagData;
    private boolean headerDone;
    private boolean failed;
    private ByteBuf pending;
    private int unitLength = -1;
    private long tags;

    public FlvTagReader(ByteBufAllocator alloc) {
        this(alloc, DEFAULT_MAX_TAG_DATA);
    }

    public FlvTagReader(ByteBufAllocator alloc, int maxTagData) {
        this.alloc = alloc;
        this.maxTagData = maxTagData;
    }

    /** Tags read so far. */
    public long tags() {
        return tags;
    }

    /** True once the file header went by. */
    public boolean headerSeen() {
        return headerDone;
    }

    /** Bytes held for a tag not complete yet (for tests of the bound). */
    public int pendingBytes() {
        return pending == null ? 0 : pending.readableBytes();
    }

    /**
     * Reads {@code in} (always released, also on error), calling {@code sink} for every header and tag completed.
     *
     * @throws FlvFormatException when the stream is not FLV; the reader is then unusable
     */
    public void feed(ByteBuf in, Sink sink) throws FlvFormatException {
        try {
            if (failed) {
                throw new FlvFormatException("FLV stream already failed");
            }
            while (true) {
                if (pending != null) {
                    if (!fillPending(in)) {
                        return;
                    }
                    ByteBuf unit = pending;
                    pending = null;
                    try {
                        emit(unit, unit.readerIndex(), sink);
                    } finally {
                        unit.release();
                    }
                    continue;
                }
                int readable = in.readableBytes();
                if (readable == 0) {
                    return;
                }
                int prefix = prefixLength();
                if (readable < prefix) {
                    pending = alloc.buffer(prefix, prefix);
                    pending.writeBytes(in);
                    return;
                }
                int length = unitLength(in, in.readerIndex());
                if (readable < length) {
                    pending = alloc.buffer(length, length);
                    unitLength = length;
                    pending.writeBytes(in);
                    return;
                }
                int at = in.readerIndex();
                in.skipBytes(length);
                emit(in, at, sink);
            }
        } catch (FlvFormatException e) {
            fail();
            throw e;
        } finally {
            in.release();
        }
    }

    /** Releases a partly read tag; the reader takes nothing more. */
    public void close() {
        fail();
    }

    private void fail() {
        failed = true;
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }

    /** Moves bytes of {@code in} into the pending unit; true once the unit is complete. */
    private boolean fillPending(ByteBuf in) throws FlvFormatException {
        if (unitLength < 0) {
            int prefix = prefixLength();
            int n = Math.min(prefix - pending.readableBytes(), in.readableBytes());
            pending.writeBytes(in, n);
            if (pending.readableBytes() < prefix) {
                return false;
            }
            int length = unitLength(pending, pending.readerIndex());
            ByteBuf whole = alloc.buffer(length, length);
            whole.writeBytes(pending);
            pending.release();
            pending = whole;
            unitLength = length;
        }
        int n = Math.min(unitLength - pending.readableBytes(), in.readableBytes());
        pending.writeBytes(in, n);
        if (pending.readableBytes() < unitLength) {
            return false;
        }
        unitLength = -1;
        return true;
    }

    private int prefixLength() {
        return headerDone ? TAG_HEADER : FILE_PREFIX;
    }

    /** Validates the fixed part of the next unit at {@code at} and returns the unit's whole length. */
    private int unitLength(ByteBuf b, int at) throws FlvFormatException {
        if (!headerDone) {
            if (b.getByte(at) != 'F' || b.getByte(at + 1) != 'L' || b.getByte(at + 2) != 'V') {
                throw new FlvFormatException("not an FLV stream: no FLV signature");
            }
            long dataOffset = b.getUnsignedInt(at + 5);
            if (dataOffset < FILE_PREFIX || dataOffset > MAX_HEADER_SIZE) {
                throw new FlvFormatException("bad FLV header size " + dataOffset);
            }
            return (int) dataOffset + TAG_TRAILER;
        }
        int first = b.getUnsignedByte(at);
        int type = first & 0x1f;
        if ((first & 0xe0) != 0 || (type != MediaTags.AUDIO && type != MediaTags.VIDEO && type != MediaTags.SCRIPT)) {
            throw new FlvFormatException("bad FLV tag type 0x" + Integer.toHexString(first) + " after " + tags
                    + " tags");
        }
        int size = b.getUnsignedMedium(at + 1);
        if (size > maxTagData) {
            throw new FlvFormatException("FLV tag of " + size + " bytes is over the limit of " + maxTagData);
        }
        return TAG_HEADER + size + TAG_TRAILER;
    }

    /** The unit at {@code at} of {@code b} is complete: validate its end and hand it on. */
    private void emit(ByteBuf b, int at, FlvTagReader.Sink sink) throws FlvFormatException {
        if (!headerDone) {
            headerDone = true;
            sink.header(b.getUnsignedByte(at + 4));
            return;
        }
        int type = b.getUnsignedByte(at) & 0x1f;
        int size = b.getUnsignedMedium(at + 1);
        long previous = b.getUnsignedInt(at + TAG_HEADER + size);
        if (previous != TAG_HEADER + size && previous != 0) {
            throw new FlvFormatException("PreviousTagSize " + previous + " does not match a tag of "
                    + (TAG_HEADER + size) + " bytes after " + tags + " tags");
        }
        long timestamp = b.getUnsignedMedium(at + 4) | ((long) b.getUnsignedByte(at + 7) << 24);
        tags++;
        sink.tag(type, timestamp, b.retainedSlice(at + TAG_HEADER, size));
    }
}
