package io.origincluster.dataplane.srt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;

/**
 * A hand-driven SRT caller on a plain UDP socket, for the cases a real libsrt caller never produces: floods,
 * truncated and forged handshakes, retransmissions on demand, and reading the exact rejection reason.
 */
final class RawSrtCaller implements AutoCloseable {

    final DatagramSocket socket;
    private final InetSocketAddress proxy;

    RawSrtCaller(int proxyPort) {
        try {
            socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            socket.setReceiveBufferSize(4 << 20);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        proxy = new InetSocketAddress(InetAddress.getLoopbackAddress(), proxyPort);
    }

    void send(byte[] bytes) {
        try {
            socket.send(new DatagramPacket(bytes, bytes.length, proxy));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] induction(int socketId) {
        ByteBuf b = Unpooled.buffer();
        SrtHandshake.write(b, 0, 0, 4, 0, SrtHandshake.UDT_DGRAM, 1000, 1500, 8192, SrtHandshake.TYPE_INDUCTION,
                socketId, 0, InetAddress.getLoopbackAddress());
        return ByteBufUtil.getBytes(b);
    }

    static byte[] conclusion(int socketId, int cookie, String streamId) {
        ByteBuf b = Unpooled.buffer();
        SrtHandshake.write(b, 0, 0, 5, 0, 0x5, 1000, 1500, 8192, SrtHandshake.TYPE_CONCLUSION, socketId, cookie,
                InetAddress.getLoopbackAddress());
        b.writeShort(SrtHandshake.EXT_HSREQ).writeShort(3).writeInt(0x00010501).writeInt(0xBF).writeInt(0x00780000);
        if (streamId != null) {
            SrtHandshake.writeStreamIdExtension(b, streamId);
        }
        return ByteBufUtil.getBytes(b);
    }

    /** The next handshake from the proxy, or null after {@code millis}. */
    SrtHandshake receive(int millis) {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            socket.setSoTimeout(millis);
            socket.receive(p);
            return SrtHandshake.parse(Unpooled.wrappedBuffer(buf, 0, p.getLength()));
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (MalformedSrtPacketException e) {
            throw new AssertionError("proxy sent a malformed handshake", e);
        }
    }

    /** Induction then the cookie from the answer. */
    int cookie(int socketId) {
        send(induction(socketId));
        SrtHandshake answer = receive(2000);
        if (answer == null || !answer.isInduction()) {
            throw new AssertionError("no induction answer for socket " + socketId);
        }
        return answer.cookie();
    }

    @Override
    public void close() {
        socket.close();
    }
}
