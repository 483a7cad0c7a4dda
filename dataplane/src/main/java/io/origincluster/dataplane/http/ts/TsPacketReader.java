package io.origincluster.dataplane.http.ts;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Cuts an MPEG-TS byte stream, arriving in pieces of any size, into 188-byte packets. A packet whole in one piece is
 * a slice of it; a packet split across pieces is gathered into one 188-byte buffer, so the reader never holds more
 * than one packet. A packet not starting with the sync byte 0x47 is an error (no resync: a live origin that loses
 * framing is broken), after which the reader takes nothing more.
 */
public final class TsPacketReader {

    public static final int PACKET = 188;
    public static final int SYNC = 0x47;

    /** Receives each packet; the callee owns it. */
    public interface Sink {
        void packet(ByteBuf packet);
    }

    private final ByteBufAllocator alloc;
    private ByteBuf pending;
    private boolean failed;
    private long packets;

    public TsPacketReader(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    public long packets() {
        return packets;
    }

    public int pendingBytes() {
        return pending == null ? 0 : pending.readableBytes();
    }

    /** Reads {@code in} (always released), handing on every complete packet. */
    public void feed(ByteBuf in, Sink sink) throws TsFormatException {
        try {
            if (failed) {
                throw new TsFormatException("TS stream already failed");
            }
            if (pending != null) {
                pending.writeBytes(in, Math.min(PACKET - pending.readableBytes(), in.readableBytes()));
                if (pending.readableBytes() < PACKET) {
                    return;
                }
                check(pending, pending.readerIndex()); // on error close() releases it
                ByteBuf p = pending;
                pending = null;
                packets++;
                sink.packet(p);
            }
            while (in.readableBytes() >= PACKET) {
                check(in, in.readerIndex());
                packets++;
                sink.packet(in.readRetainedSlice(PACKET));
            }
            if (in.isReadable()) {
                if (in.getUnsignedByte(in.readerIndex()) != SYNC) {
                    throw new TsFormatException("lost TS sync after " + packets + " packets");
                }
                pending = alloc.buffer(PACKET, PACKET);
                pending.writeBytes(in);
            }
        } catch (TsFormatException e) {
            close();
            throw e;
        } finally {
            in.release();
        }
    }

    private void check(ByteBuf b, int at) throws TsFormatException {
        if (b.getUnsignedByte(at) != SYNC) {
            throw new TsFormatException("lost TS sync after " + packets + " packets");
        }
    }

    /** Releases a partial packet; the reader takes nothing more. */
    public void close() {
        failed = true;
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }
}
