package io.origincluster.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.origincluster.dataplane.http.flv.FlvTagWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The live body written past the HTTP encoder must still be a valid chunked body that a real HTTP decoder reads back
 * byte for byte, and the encoder must be able to answer the next request on the same connection.
 */
class LiveBodyTest {

    private static final String GET = "GET /live/a.flv HTTP/1.1\r\nHost: x\r\n\r\n";

    @Test
    void batchesWithAndWithoutHeadroomDecodeAsOneChunkedBodyAndTheConnectionStaysUsable() {
        EmbeddedChannel ch = new EmbeddedChannel(new HttpServerCodec(), new ChannelInboundHandlerAdapter());
        ChannelHandlerContext ctx = ch.pipeline().lastContext();
        ch.writeInbound(Unpooled.copiedBuffer(GET, StandardCharsets.US_ASCII));
        ch.readInbound();
        ch.readInbound();
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpUtil.setTransferEncodingChunked(head, true);
        ctx.write(head);
        LiveBody body = new LiveBody(ctx, true);

        FlvTagWriter w = new FlvTagWriter(PooledByteBufAllocator.DEFAULT, LiveBody.HEADROOM);
        w.header(5);
        ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer();
        data.writeBytes(new byte[70_000]); // past one first capacity: the batch grows, the headroom must survive
        w.tag(9, 40, data);
        ByteBuf batch = w.take();
        byte[] expectedFlv = ByteBufUtil.getBytes(batch);
        body.write(batch);
        ByteBuf plain = Unpooled.directBuffer().writeBytes("no headroom".getBytes(StandardCharsets.US_ASCII));
        body.write(plain);
        body.write(Unpooled.EMPTY_BUFFER);
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);

        // the next response on the same connection goes through the encoder as usual
        ch.writeInbound(Unpooled.copiedBuffer(GET, StandardCharsets.US_ASCII));
        ch.readInbound();
        ch.readInbound();
        HttpResponse second = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND);
        HttpUtil.setContentLength(second, 0);
        ctx.writeAndFlush(second);
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);

        ByteBuf wire = Unpooled.buffer();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            wire.writeBytes(b);
            b.release();
        }
        assertThat(batch.refCnt()).as("the batch, once written out").isZero();
        assertThat(plain.refCnt()).isZero();
        String text = wire.toString(StandardCharsets.ISO_8859_1);
        assertThat(text).contains("\r\n\r\n00011188\r\n"); // 9 + 15 + 70,000 = 70,024 bytes: the first chunk's size line

        EmbeddedChannel client = new EmbeddedChannel(new HttpResponseDecoder());
        client.writeInbound(wire);
        List<HttpObject> got = new ArrayList<>();
        for (Object o; (o = client.readInbound()) != null; ) {
            got.add((HttpObject) o);
        }
        ByteArrayOutputStream firstBody = new ByteArrayOutputStream();
        int responses = 0;
        int lasts = 0;
        for (HttpObject o : got) {
            assertThat(o.decoderResult().isSuccess()).as(String.valueOf(o)).isTrue();
            if (o instanceof HttpResponse) {
                responses++;
            }
            if (o instanceof HttpContent c) {
                if (responses == 1) {
                    firstBody.writeBytes(ByteBufUtil.getBytes(c.content()));
                }
                if (o instanceof LastHttpContent) {
                    lasts++;
                }
                c.release();
            }
        }
        assertThat(responses).isEqualTo(2);
        assertThat(lasts).isEqualTo(2);
        byte[] expected = new byte[expectedFlv.length + "no headroom".length()];
        System.arraycopy(expectedFlv, 0, expected, 0, expectedFlv.length);
        System.arraycopy("no headroom".getBytes(StandardCharsets.US_ASCII), 0, expected, expectedFlv.length, 11);
        assertThat(firstBody.toByteArray()).isEqualTo(expected);
        assertThat(((HttpResponse) got.stream().filter(o -> o instanceof HttpResponse).skip(1).findFirst().get())
                .status().code()).isEqualTo(404);
        ch.finishAndReleaseAll();
    }

    @Test
    void sizeLineIsEightHexDigits() {
        ByteBuf b = Unpooled.buffer(10).writerIndex(10);
        LiveBody.sizeLine(b, 0, 0x1a2b);
        assertThat(b.toString(StandardCharsets.US_ASCII)).isEqualTo("00001a2b\r\n");
    }
}
