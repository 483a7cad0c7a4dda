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
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many SRT publishers on one UDP socket: each does the HSv5 caller handshake (induction, then a conclusion with
 * the cookie and its stream id), retransmitting every 250 ms as libsrt does, then sends 1316-byte data packets
 * (7 TS packets) at a fixed rate until closed, when it sends a SHUTDOWN. Sessions are told apart by their socket
 * ids, as the proxy and any SRT listener tell them apart; one socket keeps the harness's descriptors for the RTMP
 * players.
 */
final class SrtCallers implements AutoCloseable {

    static final int PAYLOAD = 1316;

    /** One caller: its socket id, the request it is waiting on an answer for, and the peer's socket id once up. */
    private static final class Session {
        final int socketId;
        final String streamId;
        final CompletableFuture<Session> up = new CompletableFuture<>();
        volatile byte[] request;
        volatile int peerSocketId;
        int seq;

        Session(int socketId, String streamId) {
            this.socketId = socketId;
            this.streamId = streamId;
        }
    }

    private final DatagramChannel channel;
    private final InetSocketAddress target;
    private final double packetsPerSecond;
    private final Map<Integer, Session> bySocket = new ConcurrentHashMap<>();
    private final List<Session> upSessions = new ArrayList<>();
    private final AtomicLong sentBytes = new AtomicLong();
    private final long startNanos = System.nanoTime();
    private final Thread reader;
    private Thread sender;
    private volatile boolean open = true;

    SrtCallers(int targetPort, double packetsPerSecond) {
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
        this.packetsPerSecond = packetsPerSecond;
        try {
            channel = DatagramChannel.open();
            channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        reader = new Thread(this::read, "srt-callers-reader");
        reader.setDaemon(true);
        reader.start();
    }

    record Ramp(int up, List<String> failures, double seconds) {
    }

    /**
     * Opens {@code count} sessions with stream ids {@code streamId(i)}, at most {@code inFlight} handshakes at a
     * time, each given up after 10 s; then starts sending on the ones that are up.
     */
    Ramp connect(int count, java.util.function.IntFunction<String> streamId, int inFlight) {
        long t0 = System.nanoTime();
        Semaphore slots = new Semaphore(inFlight);
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread retransmit = new Thread(this::retransmit, "srt-callers-retransmit");
        retransmit.setDaemon(true);
        retransmit.start();
        for (int i = 0; i < count; i++) {
            slots.acquireUninterruptibly();
            int id;
            Session s;
            do {
                id = ThreadLocalRandom.current().nextInt(1, 1 << 29);
                s = new Session(id, streamId.apply(i));
            } while (bySocket.putIfAbsent(id, s) != null);
            Session session = s;
            session.up.orTimeout(10, TimeUnit.SECONDS).whenComplete((ok, err) -> {
                if (err != null) {
                    failures.add(err.toString());
                    bySocket.remove(session.socketId);
                }
                slots.release();
            });
            send(session, induction(id));
        }
        slots.acquireUninterruptibly(inFlight);
        retransmit.interrupt();
        synchronized (upSessions) {
            bySocket.values().stream().filter(x -> x.peerSocketId != 0).forEach(upSessions::add);
        }
        sender = new Thread(this::sendData, "srt-callers-sender");
        sender.setDaemon(true);
        sender.start();
        return new Ramp(upSessions.size(), List.copyOf(failures), (System.nanoTime() - t0) / 1e9);
    }

    long sentBytes() {
        return sentBytes.get();
    }

    private void send(Session s, byte[] request) {
        s.request = request;
        try {
            channel.send(ByteBuffer.wrap(request), target);
        } catch (IOException e) {
            s.up.completeExceptionally(e);
        }
    }

    private static byte[] induction(int socketId) {
        ByteBuf b = Unpooled.buffer(SrtHandshake.SIZE);
        SrtHandshake.write(b, 0, 0, 4, 0, SrtHandshake.UDT_DGRAM, socketId, 1500, 8192,
                SrtHandshake.TYPE_INDUCTION, socketId, 0, InetAddress.getLoopbackAddress());
        return java.util.Arrays.copyOf(b.array(), b.readableBytes());
    }

    private static byte[] conclusion(int socketId, int cookie, String streamId) {
        ByteBuf b = Unpooled.buffer(SrtHandshake.SIZE + 16 + 4 + streamId.length() + 4);
        SrtHandshake.write(b, 0, 0, 5, 0, 0x5, socketId, 1500, 8192, SrtHandshake.TYPE_CONCLUSION, socketId,
                cookie, InetAddress.getLoopbackAddress());
        b.writeShort(SrtHandshake.EXT_HSREQ).writeShort(3).writeInt(0x00010501).writeInt(0xBF).writeInt(0x00780078);
        SrtHandshake.writeStreamIdExtension(b, streamId);
        return java.util.Arrays.copyOf(b.array(), b.readableBytes());
    }

    private void read() {
        ByteBuffer in = ByteBuffer.allocateDirect(2048);
        while (open) {
            try {
                in.clear();
                channel.receive(in);
                in.flip();
                ByteBuf buf = Unpooled.wrappedBuffer(in);
                if (!SrtPacket.hasHeader(buf) || !SrtPacket.isHandshake(buf)) {
                    continue; // keep-alives from the origin
                }
                SrtHandshake hs = SrtHandshake.parse(buf);
                Session s = bySocket.get(SrtPacket.destSocketId(buf));
                if (s == null || s.up.isDone()) {
                    continue;
                }
                if (hs.isRejection()) {
                    s.up.completeExceptionally(new IllegalStateException("rejected, type " + hs.type()));
                } else if (hs.isInduction()) {
                    send(s, conclusion(s.socketId, hs.cookie(), s.streamId));
                } else if (hs.isConclusion()) {
                    s.peerSocketId = hs.socketId();
                    s.request = null;
                    s.up.complete(s);
                }
            } catch (MalformedSrtPacketException e) {
                // a broken answer counts as none: the retransmission or the timeout decides
            } catch (IOException e) {
                return;
            }
        }
    }

    private void retransmit() {
        while (open) {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            }
            for (Session s : bySocket.values()) {
                byte[] r = s.request;
                if (r != null && !s.up.isDone()) {
                    send(s, r);
                }
            }
        }
    }

    /** Every session sends at {@code packetsPerSecond}; sessions are spread over the second so they do not burst. */
    private void sendData() {
        ByteBuffer out = ByteBuffer.allocateDirect(SrtPacket.HEADER_SIZE + PAYLOAD);
        for (int i = 0; i < PAYLOAD; i += 188) {
            out.put(SrtPacket.HEADER_SIZE + i, (byte) 0x47); // TS sync bytes: what an SRT publisher carries
        }
        List<Session> sessions;
        synchronized (upSessions) {
            sessions = List.copyOf(upSessions);
        }
        if (sessions.isEmpty() || packetsPerSecond <= 0) {
            return;
        }
        double perNano = packetsPerSecond * sessions.size() / 1e9;
        long sent = 0;
        long start = System.nanoTime();
        while (open) {
            long due = (long) ((System.nanoTime() - start) * perNano);
            for (; sent < due && open; sent++) {
                Session s = sessions.get((int) (sent % sessions.size()));
                int ts = (int) ((System.nanoTime() - startNanos) / 1000);
                out.clear();
                // data packet: sequence number, solo packet in order with its message number, time, destination
                out.putInt(s.seq++ & 0x7FFFFFFF).putInt(0xE0000000 | (s.seq & 0x03FFFFFF)).putInt(ts)
                        .putInt(s.peerSocketId).position(0);
                try {
                    channel.send(out, target);
                    sentBytes.addAndGet(PAYLOAD);
                } catch (IOException e) {
                    return;
                }
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** SHUTDOWN to every session (so the far side frees it now, not after its idle timeout), then the socket. */
    @Override
    public void close() {
        open = false;
        if (sender != null) {
            sender.interrupt();
            try {
                sender.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ByteBuffer out = ByteBuffer.allocate(SrtPacket.HEADER_SIZE + 4);
        synchronized (upSessions) {
            for (Session s : upSessions) {
                out.clear();
                out.putShort((short) (0x8000 | SrtPacket.TYPE_SHUTDOWN)).putShort((short) 0).putInt(0).putInt(0)
                        .putInt(s.peerSocketId).putInt(0).flip();
                try {
                    channel.send(out, target);
                } catch (IOException e) {
                    break;
                }
            }
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
