package io.origincluster.dataplane.rtsp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.nio.charset.StandardCharsets;

/** Writes {@link RtspMessage}s (head in ISO-8859-1, as read) and {@link InterleavedFrame}s (their own bytes). */
@ChannelHandler.Sharable
public final class RtspEncoder extends ChannelOutboundHandlerAdapter {

    public static final RtspEncoder INSTANCE = new RtspEncoder();

    private RtspEncoder() {
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof InterleavedFrame f) {
            ctx.write(f.content(), promise);
        } else if (msg instanceof RtspMessage m) {
            String head = m.head();
            ByteBuf b = ctx.alloc().buffer(head.length() + m.body().length);
            b.writeCharSequence(head, StandardCharsets.ISO_8859_1);
            b.writeBytes(m.body());
            ctx.write(b, promise);
        } else {
            ctx.write(msg, promise);
        }
    }
}
