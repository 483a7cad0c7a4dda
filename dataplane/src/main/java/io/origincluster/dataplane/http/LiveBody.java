package io.origincluster.dataplane.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;

/**
 * Writes the body of a live response (a {@link LiveRelay}'s batches) to the client. Once the response head has gone
 * through the HTTP codec the body is a byte stream, so batches are written from the codec's own context: they skip
 * the encoder (no HttpContent object, no chunk-size buffer and promise combiner per write) and this class does the
 * chunked framing itself, in the headroom the media writers leave in front of a batch. The response's last chunk
 * still goes through the encoder, which ends the chunked body and is ready for the next response.
 */
final class LiveBody {

    /** In front of a batch: the chunk size as 8 hex digits (leading zeros are valid chunk-size syntax) and CRLF. */
    static final int HEADROOM = 10;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final ByteBuf CRLF = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(2).writeByte('\r').writeByte('\n')).asReadOnly();

    private final ChannelHandlerContext client;
    /** The codec's context: a write from it goes toward the socket without passing the codec. */
    private final ChannelHandlerContext raw;
    private final boolean chunked;

    LiveBody(ChannelHandlerContext client, boolean chunked) {
        this.client = client;
        this.raw = client.pipeline().context(HttpServerCodec.class);
        this.chunked = chunked;
    }

    /** Writes (does not flush) {@code body}, which this takes ownership of. */
    void write(ByteBuf body) {
        int n = body.readableBytes();
        if (n == 0) {
            body.release();
            return;
        }
        if (raw == null) {
            client.write(new DefaultHttpContent(body)); // no codec to step around: let the pipeline frame it
            return;
        }
        if (!chunked) {
            raw.write(body, raw.voidPromise());
            return;
        }
        if (body.readerIndex() >= HEADROOM) {
            int at = body.readerIndex() - HEADROOM;
            sizeLine(body, at, n);
            body.readerIndex(at);
            body.ensureWritable(2);
            body.writeByte('\r').writeByte('\n');
            raw.write(body, raw.voidPromise());
            return;
        }
        ByteBuf line = body.alloc().directBuffer(HEADROOM, HEADROOM);
        sizeLine(line, 0, n);
        line.writerIndex(HEADROOM);
        raw.write(line, raw.voidPromise());
        raw.write(body, raw.voidPromise());
        raw.write(CRLF.duplicate(), raw.voidPromise());
    }

    /** {@code n} as 8 hex digits then CRLF, at {@code at}. */
    static void sizeLine(ByteBuf b, int at, int n) {
        for (int i = 0; i < 8; i++) {
            b.setByte(at + i, HEX[(n >>> (28 - 4 * i)) & 0xf]);
        }
        b.setByte(at + 8, '\r');
        b.setByte(at + 9, '\n');
    }
}
