package io.origincluster.dataplane.fuzz;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Drives Netty decoders with fuzz input the way a socket does. The input's first byte says how the rest arrives:
 * 0 all at once, n in pieces of n bytes, so the "not complete yet" paths are taken too and a seed is simply that
 * byte followed by real protocol bytes. The decoder's declared protocol error ends the input cleanly (the session
 * would close); any other exception escapes and is a finding. Everything decoded goes to {@code each}, then is
 * released.
 */
public final class Decoding {

    private Decoding() {
    }

    /** Returns the number of messages decoded before the input ended or failed cleanly. */
    public static int feed(byte[] input, Class<? extends RuntimeException> clean, Consumer<Object> each,
                           ChannelHandler... handlers) {
        if (input.length == 0) {
            return 0;
        }
        int piece = input[0] & 0xff;
        byte[] bytes = Arrays.copyOfRange(input, 1, input.length);
        int step = piece == 0 ? Math.max(1, bytes.length) : piece;
        EmbeddedChannel ch = new EmbeddedChannel(handlers);
        int decoded = 0;
        try {
            for (int at = 0; at < bytes.length && ch.isActive(); at += step) {
                ch.writeInbound(Unpooled.wrappedBuffer(bytes, at, Math.min(step, bytes.length - at)));
                for (Object m; (m = ch.readInbound()) != null; ) {
                    decoded++;
                    try {
                        each.accept(m);
                    } finally {
                        ReferenceCountUtil.release(m);
                    }
                }
            }
            // end of input: the decoders' channelInactive paths run too
            ch.finishAndReleaseAll();
        } catch (DecoderException e) {
            // a protocol error may itself be a DecoderException, or arrive wrapped in one
            if (!clean.isInstance(e) && !clean.isInstance(e.getCause())) {
                throw e;
            }
        } catch (RuntimeException e) {
            if (!clean.isInstance(e)) {
                throw e;
            }
        } finally {
            ch.releaseInbound();
            ch.releaseOutbound();
        }
        return decoded;
    }
}
