package io.origincluster.dataplane.http.ts;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Cuts an MPEG-TS byte stream, arriving in pieces of any size, into 188-byte packets. A packet whole in one piece is
 * handed on where it lies in that piece (no slice per packet: the relay's hot path); a packet split across pieces is
 * gathered into one 188-byte buffer, so the reader never holds more than one packet. A packet not starting with the
 * sync byte 0x47 is an error (no resync: a live origin that loses framing is broken), after which the reader takes
 * nothing more.
 */
public final class TsPacketReader {

    public static final int PACKET = 188;
    public static final int SYNC = 0x47;

    /**
     * Receives each packet where it lies: the 188 bytes of {@code buf} from index {@code at}. Borrowed for the call
     * only: a callee that keeps them retains {@code buf}, and never changes its bytes.
     */
    public interface InPlaceSink {
        void packet(ByteBuf buf, int at);
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

    /** Reads {@code in} (always released), handing on every complete packet where it lies. */
    public void feedInPlace(ByteBuf in, InPlaceSink sink) throws TsFormatException {
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
                try {
                    sink.packet(p, p.readerIndex());
                } finally {
                    p.release();
                }
            }
            int at = in.readerIndex();
            for (int end = in.writerIndex(); end - at >= PACKET; at += PACKET) {
                check(in, at);
                packets++;
                sink.packet(in, at);
            }
            in.readerIndex(at);
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
