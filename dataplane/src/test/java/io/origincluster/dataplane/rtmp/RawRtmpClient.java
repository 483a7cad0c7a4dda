package io.origincluster.dataplane.rtmp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.origincluster.dataplane.rtmp.codec.ChunkDecoder;
import io.origincluster.dataplane.rtmp.codec.ChunkEncoder;
import io.origincluster.dataplane.rtmp.codec.Handshake;
import io.origincluster.dataplane.rtmp.codec.RtmpCommand;
import io.origincluster.dataplane.rtmp.codec.RtmpMessage;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/** A blocking RTMP client for tests: exact control over every byte, built on the project's own codecs. */
final class RawRtmpClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ChunkEncoder encoder = new ChunkEncoder();
    private final EmbeddedChannel decoder = new EmbeddedChannel(new ChunkDecoder());
    private long bytesIn;

    private RawRtmpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static RawRtmpClient open(int port, int receiveBuffer) {
        try {
            Socket s = new Socket();
            if (receiveBuffer > 0) {
                s.setReceiveBufferSize(receiveBuffer);
            }
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            return new RawRtmpClient(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RawRtmpClient open(int port) {
        return open(port, 0);
    }

    void sendBytes(byte[] b) throws IOException {
        out.write(b);
        out.flush();
    }

    /** Simple handshake; returns S1 and S2. */
    byte[][] handshake(byte[] c1) throws IOException {
        byte[] c0c1 = new byte[1537];
        c0c1[0] = 3;
        System.arraycopy(c1, 0, c0c1, 1, 1536);
        sendBytes(c0c1);
        DataInputStream din = new DataInputStream(in);
        byte[] s0s1s2 = new byte[3073];
        din.readFully(s0s1s2);
        byte[] s1 = java.util.Arrays.copyOfRange(s0s1s2, 1, 1537);
        byte[] s2 = java.util.Arrays.copyOfRange(s0s1s2, 1537, 3073);
        sendBytes(s1);
        return new byte[][]{s1, s2};
    }

    void handshake() throws IOException {
        handshake(new byte[1536]);
    }

    void send(RtmpMessage m) throws IOException {
        ByteBuf buf = Unpooled.buffer();
        try {
            encoder.encode(m, buf);
            byte[] b = new byte[buf.readableBytes()];
            buf.readBytes(b);
            sendBytes(b);
        } finally {
            buf.release();
            m.release();
        }
    }

    void command(String name, double tid, int streamId, Object cmdObject, Object... args) throws IOException {
        send(RtmpCommand.of(name, tid, cmdObject, args).toMessage(ByteBufAllocator.DEFAULT, streamId == 0 ? 3 : 5,
                streamId));
    }

    /** The next message, or null on a clean end of stream. */
    RtmpMessage read() throws IOException {
        while (true) {
            RtmpMessage m = decoder.readInbound();
            if (m != null) {
                return m;
            }
            byte[] b = new byte[65536];
            int n = in.read(b);
            if (n < 0) {
                return null;
            }
            bytesIn += n;
            decoder.writeInbound(Unpooled.wrappedBuffer(b, 0, n));
        }
    }

    long bytesIn() {
        return bytesIn;
    }

    /** Reads until a command matching {@code p}; other messages are released. */
    RtmpCommand awaitCommand(Predicate<RtmpCommand> p) throws IOException {
        while (true) {
            RtmpMessage m = read();
            if (m == null) {
                throw new IOException("closed while waiting for a command");
            }
            try {
                if (m.isCommand()) {
                    RtmpCommand c = RtmpCommand.decode(m);
                    if (p.test(c)) {
                        return c;
                    }
                }
            } finally {
                m.release();
            }
        }
    }

    RtmpCommand awaitStatus() throws IOException {
        return awaitCommand(c -> c.name().equals("onStatus"));
    }

    void connect(String tcUrl) throws IOException {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("app", "live");
        o.put("flashVer", "FMLE/3.0 (compatible; RawRtmpClient)");
        o.put("tcUrl", tcUrl);
        o.put("type", "nonprivate");
        command("connect", 1, 0, o);
        RtmpCommand r = awaitCommand(c -> c.transactionId() == 1);
        if (!r.name().equals("_result")) {
            throw new IOException("connect refused: " + r);
        }
    }

    /** connect + createStream + publish/play; returns the final onStatus. */
    RtmpCommand start(String tcUrl, String stream, boolean publish) throws IOException {
        handshake();
        connect(tcUrl);
        command("createStream", 2, 0, null);
        RtmpCommand cs = awaitCommand(c -> c.transactionId() == 2);
        int sid = ((Double) cs.args().get(0)).intValue();
        if (publish) {
            command("publish", 3, sid, null, stream, "live");
            return awaitCommand(c -> c.name().equals("onStatus") && !"NetStream.Play.Reset".equals(c.info().get("code")));
        }
        command("play", 3, sid, null, stream, -2.0);
        return awaitCommand(c -> c.name().equals("onStatus") && !"NetStream.Play.Reset".equals(c.info().get("code")));
    }

    /** True when the peer closes (EOF or reset) within {@code millis}, reading and discarding what comes. */
    boolean closedWithin(int millis) {
        long deadline = System.currentTimeMillis() + millis;
        byte[] b = new byte[8192];
        try {
            while (System.currentTimeMillis() < deadline) {
                socket.setSoTimeout((int) Math.max(1, deadline - System.currentTimeMillis()));
                if (in.read(b) < 0) {
                    return true;
                }
            }
            return false;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    Socket socket() {
        return socket;
    }

    @Override
    public void close() {
        decoder.finishAndReleaseAll();
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a test socket
        }
    }
}
