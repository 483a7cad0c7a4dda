package io.origincluster.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.origincluster.dataplane.srt.MalformedSrtPacketException;
import io.origincluster.dataplane.srt.SrtHandshake;
import io.origincluster.dataplane.srt.SrtPacket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An SRT listener that accepts any number of callers on one UDP port, which srt-live-transmit (one caller per
 * listener) cannot: the HSv5 handshake (induction with a cookie, conclusion answered with an HSRSP), then it counts
 * the data it receives and sends each session a keep-alive a second, as a libsrt peer does when it has nothing to
 * send. The proxy relays every SRT session to one origin port, so the scale scenario's 1,000 sessions need this.
 */
final class SrtManyOrigin implements AutoCloseable {

    /** A caller as this listener knows it: where it sends from and the socket id it chose. */
    private record Peer(SocketAddress address, int socketId) {
    }

    private final DatagramChannel channel;
    private final int port;
    private final int secret = ThreadLocalRandom.current().nextInt();
    private final Map<Peer, Integer> sessionByPeer = new ConcurrentHashMap<>();
    private final Map<Integer, Peer> peerBySession = new ConcurrentHashMap<>();
    private final AtomicLong dataBytes = new AtomicLong();
    private final AtomicLong unknownData = new AtomicLong();
    private final Thread reader;
    private final Thread keepalive;
    private volatile boolean open = true;

    private SrtManyOrigin(DatagramChannel channel) throws IOException {
        this.channel = channel;
        this.port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
        reader = new Thread(this::read, "srt-origin-reader");
        reader.setDaemon(true);
        reader.start();
        keepalive = new Thread(this::keepAlive, "srt-origin-keepalive");
        keepalive.setDaemon(true);
        keepalive.start();
    }

    static SrtManyOrigin start() {
        try {
            DatagramChannel ch = DatagramChannel.open();
            ch.setOption(StandardSocketOptions.SO_RCVBUF, 8 << 20);
            ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return new SrtManyOrigin(ch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return port;
    }

    /** Payload bytes of data packets received for known sessions. */
    long dataBytes() {
        return dataBytes.get();
    }

    long unknownDataPackets() {
        return unknownData.get();
    }

    int sessions() {
        return peerBySession.size();
    }

    private void read() {
        ByteBuffer in = ByteBuffer.allocateDirect(2048);
        while (open) {
            try {
                in.clear();
                SocketAddress from = channel.receive(in);
                in.flip();
                ByteBuf buf = Unpooled.wrappedBuffer(in);
                if (!SrtPacket.hasHeader(buf)) {
                    continue;
                }
                if (!SrtPacket.isControl(buf)) {
                    if (peerBySession.containsKey(SrtPacket.destSocketId(buf))) {
                        dataBytes.addAndGet(buf.readableBytes() - SrtPacket.HEADER_SIZE);
                    } else {
                        unknownData.incrementAndGet();
                    }
                } else if (SrtPacket.isHandshake(buf)) {
                    onHandshake(SrtHandshake.parse(buf), from);
                } else if (SrtPacket.isShutdown(buf)) {
                    Peer p = peerBySession.remove(SrtPacket.destSocketId(buf));
                    if (p != null) {
                        sessionByPeer.remove(p);
                    }
                }
            } catch (MalformedSrtPacketException e) {
                // not ours to answer; a real listener drops it too
            } catch (IOException e) {
                if (open) {
                    System.err.println("srt origin: " + e);
                }
                return;
            }
        }
    }

    private int cookie(SocketAddress from, int socketId) {
        return (from.hashCode() * 31 + socketId) ^ secret;
    }

    private void onHandshake(SrtHandshake hs, SocketAddress from) throws IOException {
        InetAddress peerIp = ((InetSocketAddress) from).getAddress();
        ByteBuf out = Unpooled.buffer(96);
        if (hs.isInduction()) {
            SrtHandshake.write(out, 0, hs.socketId(), 5, 0, SrtHandshake.SRT_MAGIC, hs.initialSeq(), hs.mtu(),
                    hs.flowWindow(), SrtHandshake.TYPE_INDUCTION, 0, cookie(from, hs.socketId()), peerIp);
        } else if (hs.isConclusion() && hs.cookie() == cookie(from, hs.socketId())) {
            // a retransmitted conclusion gets the same session
            int id = sessionByPeer.computeIfAbsent(new Peer(from, hs.socketId()), p -> {
                int s;
                do {
                    s = ThreadLocalRandom.current().nextInt(1, 1 << 29);
                } while (peerBySession.putIfAbsent(s, p) != null);
                return s;
            });
            SrtHandshake.write(out, 0, hs.socketId(), 5, 0, 1, hs.initialSeq(), hs.mtu(), hs.flowWindow(),
                    SrtHandshake.TYPE_CONCLUSION, id, 0, peerIp);
            out.writeShort(SrtHandshake.EXT_HSRSP).writeShort(3).writeInt(0x00010501).writeInt(0xBF)
                    .writeInt(0x00780078);
        } else {
            return;
        }
        channel.send(out.nioBuffer(), from);
    }

    private void keepAlive() {
        ByteBuffer out = ByteBuffer.allocate(SrtPacket.HEADER_SIZE + 4);
        while (open) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            for (Map.Entry<Integer, Peer> e : peerBySession.entrySet()) {
                out.clear();
                out.putShort((short) (0x8000 | SrtPacket.TYPE_KEEPALIVE)).putShort((short) 0).putInt(0).putInt(0)
                        .putInt(e.getValue().socketId()).putInt(0).flip();
                try {
                    channel.send(out, e.getValue().address());
                } catch (IOException ex) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        open = false;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        keepalive.interrupt();
    }
}
