package io.origincluster.dataplane.rtmp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.function.Consumer;

/**
 * Server side of the handshake: reads C0+C1, answers S0+S1+S2 ({@link Handshake#serverReply}, simple or digest
 * as the client needs), reads and ignores C2, then removes itself so bytes after C2 reach the chunk decoder. Holds
 * at most C0+C1 (1537 bytes). Read requests are the session's business (auto-read is off).
 */
public final class ServerHandshakeHandler extends ByteToMessageDecoder {

    private final Consumer<Handshake.Scheme> seen;
    private boolean replied;

    public ServerHandshakeHandler() {
        this(null);
    }

    /** {@code seen} learns which handshake form each client used (for metrics and tests); may be null. */
    public ServerHandshakeHandler(Consumer<Handshake.Scheme> seen) {
        this.seen = seen;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!replied) {
            if (in.readableBytes() < 1 + Handshake.PACKET) {
                return;
            }
            ctx.writeAndFlush(Handshake.serverReply(ctx.alloc(), in, seen));
            replied = true;
        }
        if (in.readableBytes() < Handshake.PACKET) {
            return;
        }
        in.skipBytes(Handshake.PACKET);
        ctx.pipeline().remove(this);
        ctx.fireUserEventTriggered(HandshakeCompleted.INSTANCE);
    }
}
