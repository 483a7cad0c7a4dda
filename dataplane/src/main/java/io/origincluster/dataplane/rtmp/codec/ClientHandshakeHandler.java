package io.origincluster.dataplane.rtmp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Client side of the simple handshake (what every RTMP server accepts from a non-Flash client): sends C0+C1 when
 * the channel becomes active, reads S0+S1+S2, answers C2 = S1, then removes itself and fires
 * {@link HandshakeCompleted}. Auto-read may be off: it requests reads itself until done.
 */
public final class ClientHandshakeHandler extends ByteToMessageDecoder {

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.writeAndFlush(Handshake.clientHello(ctx.alloc()));
        ctx.read();
        super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 1 + 2 * Handshake.PACKET) {
            return;
        }
        int version = in.readUnsignedByte();
        if (version != Handshake.VERSION) {
            throw new RtmpProtocolException("server answered RTMP version " + version);
        }
        ByteBuf c2 = ctx.alloc().buffer(Handshake.PACKET).writeBytes(in, Handshake.PACKET);
        in.skipBytes(Handshake.PACKET);
        ctx.writeAndFlush(c2);
        ctx.pipeline().remove(this);
        ctx.fireUserEventTriggered(HandshakeCompleted.INSTANCE);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        super.channelReadComplete(ctx);
        if (ctx.pipeline().context(this) != null && !ctx.channel().config().isAutoRead()) {
            ctx.read();
        }
    }
}
