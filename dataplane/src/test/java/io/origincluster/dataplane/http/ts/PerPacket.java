package io.origincluster.dataplane.http.ts;

import io.netty.buffer.ByteBuf;
import java.util.function.Consumer;

/**
 * The reader and splicer one packet buffer at a time, for tests that look at packets one by one: each packet the
 * relay would pass on in place becomes a buffer the consumer owns.
 */
final class PerPacket {

    private static final int PACKET = TsPacketReader.PACKET;

    private PerPacket() {
    }

    /** Reads {@code in} (always released); every complete packet goes to {@code sink} as a retained slice. */
    static void feed(TsPacketReader reader, ByteBuf in, Consumer<ByteBuf> sink) throws TsFormatException {
        reader.feedInPlace(in, (buf, at) -> sink.accept(buf.retainedSlice(at, PACKET)));
    }

    /**
     * One packet of the leg feeding the client ({@code leg} has observed it); takes ownership of {@code p}. What
     * the splicer sends goes to {@code out} a buffer per packet: {@code p} itself when it goes on whole and unchanged.
     */
    static void packet(TsSplicer splicer, TsSplicer.LegState leg, ByteBuf p, Consumer<ByteBuf> out) {
        try {
            splicer.packet(leg, p, p.readerIndex(), (buf, index, length) -> {
                if (index == buf.readerIndex() && length == buf.readableBytes()) {
                    out.accept(buf.retain());
                    return;
                }
                for (int i = index; i < index + length; i += PACKET) {
                    out.accept(buf.retainedSlice(i, PACKET));
                }
            });
        } finally {
            p.release();
        }
    }
}
