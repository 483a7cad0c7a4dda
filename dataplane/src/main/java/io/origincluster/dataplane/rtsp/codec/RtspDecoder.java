package io.origincluster.dataplane.rtsp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Cuts an RTSP connection into {@link RtspMessage}s (requests and responses, either may come from either side) and
 * {@link InterleavedFrame}s. Everything is bounded: a head over {@link #MAX_HEAD} bytes or {@link #MAX_HEADERS}
 * lines, a body over {@link #MAX_BODY}, a start line or header that is not RTSP, or a byte that can start neither
 * a message nor a frame throws {@link RtspProtocolException}; the session closes on it. A frame's length field is
 * 16 bits, so a frame is never more than 65,539 bytes of cumulation.
 */
public final class RtspDecoder extends ByteToMessageDecoder {

    public static final int MAX_HEAD = 16 * 1024;
    public static final int MAX_HEADERS = 64;
    public static final int MAX_BODY = 64 * 1024;
    private static final int MAX_URI = 4096;

    private RtspMessage pending;
    private int bodyLength;
    private int scanned;
    private boolean failed;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes()); // the session is closing: the rest is not read
            return;
        }
        try {
            decodeOne(in, out);
        } catch (RtspProtocolException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    private void decodeOne(ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            if (pending != null) {
                if (in.readableBytes() < bodyLength) {
                    return;
                }
                byte[] body = new byte[bodyLength];
                in.readBytes(body);
                out.add(pending.body(body));
                pending = null;
                return;
            }
            int first = in.getUnsignedByte(in.readerIndex());
            if (first == '$') {
                if (in.readableBytes() < InterleavedFrame.HEADER) {
                    return;
                }
                int channel = in.getUnsignedByte(in.readerIndex() + 1);
                int length = in.getUnsignedShort(in.readerIndex() + 2);
                if (in.readableBytes() < InterleavedFrame.HEADER + length) {
                    return;
                }
                out.add(new InterleavedFrame(channel, in.readRetainedSlice(InterleavedFrame.HEADER + length)));
                return;
            }
            if (first == '\r' || first == '\n') {
                in.skipBytes(1); // blank lines between messages are tolerated
                continue;
            }
            if (!(first >= 'A' && first <= 'Z' || first >= 'a' && first <= 'z')) {
                throw new RtspProtocolException(String.format("byte 0x%02x starts neither an RTSP message nor "
                        + "an interleaved frame", first));
            }
            int end = headEnd(in);
            if (end < 0) {
                if (in.readableBytes() > MAX_HEAD) {
                    throw new RtspProtocolException("message head longer than " + MAX_HEAD + " bytes");
                }
                return;
            }
            int length = end - in.readerIndex();
            if (length > MAX_HEAD) {
                throw new RtspProtocolException("message head longer than " + MAX_HEAD + " bytes");
            }
            String head = in.toString(in.readerIndex(), length, StandardCharsets.ISO_8859_1);
            in.skipBytes(length);
            scanned = 0;
            RtspMessage m = parseHead(head);
            int contentLength = contentLength(m);
            if (contentLength == 0) {
                out.add(m);
                return;
            }
            pending = m;
            bodyLength = contentLength;
        }
    }

    /** Index just past the blank line ending the head at the reader index, or -1 if it is not all here yet. */
    private int headEnd(ByteBuf in) {
        int from = in.readerIndex() + Math.max(0, scanned - 2);
        int to = in.writerIndex();
        for (int i = from; i < to; i++) {
            if (in.getByte(i) != '\n') {
                continue;
            }
            if (i + 1 < to && in.getByte(i + 1) == '\n') {
                return i + 2;
            }
            if (i + 2 < to && in.getByte(i + 1) == '\r' && in.getByte(i + 2) == '\n') {
                return i + 3;
            }
        }
        scanned = in.readableBytes();
        return -1;
    }

    static RtspMessage parseHead(String head) {
        String[] lines = head.split("\r?\n");
        String start = lines[0];
        checkChars(start, "start line");
        RtspMessage m;
        if (start.startsWith("RTSP/")) {
            String[] p = start.split(" ", 3);
            if (p.length < 2 || !p[0].matches("RTSP/1\\.\\d") || !p[1].matches("\\d{3}")) {
                throw new RtspProtocolException("bad status line '" + abbreviate(start) + "'");
            }
            m = RtspMessage.response(Integer.parseInt(p[1]), p.length > 2 ? p[2] : "");
        } else {
            String[] p = start.split(" ");
            if (p.length != 3 || !p[0].matches("[A-Z][A-Z0-9_-]{0,31}") || !p[2].matches("RTSP/1\\.\\d")) {
                throw new RtspProtocolException("bad request line '" + abbreviate(start) + "'");
            }
            if (p[1].isEmpty() || p[1].length() > MAX_URI) {
                throw new RtspProtocolException("request URI empty or longer than " + MAX_URI);
            }
            m = RtspMessage.request(p[0], p[1]);
        }
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            checkChars(line, "header");
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                if (m.headers().isEmpty()) {
                    throw new RtspProtocolException("continuation line before any header");
                }
                String[] last = m.headers().get(m.headers().size() - 1);
                last[1] = last[1] + " " + line.trim();
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !RtspMessage.isToken(line.substring(0, colon))) {
                throw new RtspProtocolException("bad header line '" + abbreviate(line) + "'");
            }
            if (m.headers().size() >= MAX_HEADERS) {
                throw new RtspProtocolException("more than " + MAX_HEADERS + " headers");
            }
            m.add(line.substring(0, colon), line.substring(colon + 1).trim());
        }
        return m;
    }

    private static int contentLength(RtspMessage m) {
        String v = m.header("Content-Length");
        if (v == null) {
            return 0;
        }
        if (!v.matches("\\d{1,9}")) {
            throw new RtspProtocolException("bad Content-Length '" + abbreviate(v) + "'");
        }
        int n = Integer.parseInt(v);
        if (n > MAX_BODY) {
            throw new RtspProtocolException("body of " + n + " bytes is over " + MAX_BODY);
        }
        return n;
    }

    private static void checkChars(String s, String what) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < ' ' && c != '\t' || c == 0x7f) {
                throw new RtspProtocolException("control character in " + what);
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
