package io.origincluster.dataplane.srt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.ScheduledFuture;
import io.origincluster.dataplane.config.SrtSettings;
import io.origincluster.dataplane.netty.Transports;
import io.origincluster.dataplane.routing.RoutingCore;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public SRT port. Answers inductions statelessly (SYN cookie), turns a conclusion with a valid cookie into a
 * {@link SrtSession}, and relays established sessions' packets to their origins by the proxy's socket id.
 *
 * <p>Everything here (maps, counters, sessions and their origin channels) lives on the public channel's event loop,
 * so there are no locks; other threads read {@link #stats()} through the loop.
 */
final class SrtRelay extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(SrtRelay.class);

    /** The proxy's socket ids stay below libsrt's own range limit (bit 30 marks groups there). */
    private static final int MAX_SOCKET_ID = 1 << 29;

    /** A caller during and after its handshake: its address plus the socket id it chose. */
    record CallerKey(InetSocketAddress address, int socketId) {
    }

    final SrtSettings settings;
    final RoutingCore routing;
    final io.origincluster.dataplane.metrics.ProtocolMeters meters;
    final Transports transports;
    private final SynCookies cookies = new SynCookies();
    private final long startNanos = System.nanoTime();
    private final IntObjectHashMap<SrtSession> byProxySocket = new IntObjectHashMap<>();
    private final Map<CallerKey, SrtSession> byCaller = new HashMap<>();
    private final List<SrtSession> toFlush = new ArrayList<>();
    private Channel channel;
    private ScheduledFuture<?> sweeper;
    private int pending;
    private int originChannels;

    private long inductions;
    private long malformed;
    private long unknownSocket;
    private long badCookie;
    private long rejected;

    SrtRelay(SrtSettings settings, RoutingCore routing, Transports transports,
             io.origincluster.dataplane.metrics.ProtocolMeters meters) {
        this.meters = meters;
        this.settings = settings;
        this.routing = routing;
        this.transports = transports;
    }

    Channel channel() {
        return channel;
    }

    EventLoop loop() {
        return channel.eventLoop();
    }

    /** Microseconds since start, the timestamp of packets the proxy makes itself. */
    int timestamp() {
        return (int) ((System.nanoTime() - startNanos) / 1000);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        long every = Math.max(100, Math.min(1000, settings.idleTimeout().toMillis() / 4));
        sweeper = ctx.executor().scheduleAtFixedRate(this::sweep, every, every, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        closeAll("listener closed");
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket p)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            onClientDatagram(p.content(), p.sender());
        } catch (RuntimeException e) {
            malformed++; // counted, not logged per packet: a sender could otherwise flood the log
            log.atDebug().addKeyValue("from", p.sender()).log("SRT datagram dropped: {}", e.toString());
        } finally {
            p.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        for (int i = 0; i < toFlush.size(); i++) {
            toFlush.get(i).flushToOrigin();
        }
        toFlush.clear();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A UDP listener has no peer to lose: an error here (e.g. ICMP for one client) must not close it.
        log.atDebug().log("SRT listener error: {}", cause.toString());
    }

    private void onClientDatagram(ByteBuf buf, InetSocketAddress sender) {
        if (!SrtPacket.hasHeader(buf)) {
            malformed++;
            return;
        }
        if (SrtPacket.isHandshake(buf)) {
            onClientHandshake(buf, sender);
            return;
        }
        SrtSession s = byProxySocket.get(SrtPacket.destSocketId(buf));
        if (s == null || !s.clientAddress().equals(sender)) {
            unknownSocket++;
            return;
        }
        if (s.fromClient(buf)) {
            toFlush.add(s);
        }
    }

    private void onClientHandshake(ByteBuf buf, InetSocketAddress sender) {
        SrtHandshake hs;
        try {
            hs = SrtHandshake.parse(buf);
        } catch (MalformedSrtPacketException e) {
            malformed++;
            log.atDebug().addKeyValue("from", sender).log("malformed SRT handshake dropped: {}", e.getMessage());
            return;
        }
        if (hs.isInduction()) {
            inductions++;
            answerInduction(hs, sender);
            return;
        }
        if (!hs.isConclusion()) {
            malformed++; // rendezvous and agreement handshakes have no place on a listener
            return;
        }
        CallerKey key = new CallerKey(sender, hs.socketId());
        SrtSession existing = byCaller.get(key);
        if (existing != null) {
            existing.onRetransmittedConclusion();
            return;
        }
        if (!cookies.verify(sender, hs.socketId(), hs.cookie())) {
            badCookie++;
            return;
        }
        if (hs.version() < 5) {
            reject(hs, sender, 0, SrtReject.VERSION, "HSv4 caller");
            return;
        }
        SrtStreamId streamId;
        try {
            streamId = SrtStreamId.parse(hs.streamId());
        } catch (SrtRejectException e) {
            reject(hs, sender, 0, e.reason(), e.getMessage());
            return;
        }
        if (pending >= settings.maxPendingHandshakes()) {
            reject(hs, sender, 0, SrtReject.OVERLOAD, "too many handshakes in flight");
            return;
        }
        int proxySocketId = newProxySocketId();
        SrtSession s = new SrtSession(this, streamId, SrtStreamId.query(hs.streamId()), proxySocketId, key, hs,
                ByteBufUtil.getBytes(buf));
        byCaller.put(key, s);
        byProxySocket.put(proxySocketId, s);
        pending++;
        s.connect();
    }

    /** The listener's HSv5 induction answer: version 5, the SRT magic, and a cookie bound to the caller. */
    private void answerInduction(SrtHandshake hs, InetSocketAddress sender) {
        ByteBuf out = channel.alloc().buffer(SrtHandshake.SIZE);
        SrtHandshake.write(out, timestamp(), hs.socketId(), 5, 0, SrtHandshake.SRT_MAGIC, hs.initialSeq(), hs.mtu(),
                hs.flowWindow(), SrtHandshake.TYPE_INDUCTION, hs.socketId(), cookies.issue(sender, hs.socketId()),
                sender.getAddress());
        channel.writeAndFlush(new DatagramPacket(out, sender));
    }

    /** Refuses a conclusion with an SRT rejection reason the caller reports (e.g. 1503, 1405). */
    void reject(SrtHandshake hs, InetSocketAddress to, int proxySocketId, int reason, String why) {
        rejected++;
        log.atInfo().addKeyValue("from", to).addKeyValue("reason", reason).log("SRT connection rejected: {}", why);
        ByteBuf out = channel.alloc().buffer(SrtHandshake.SIZE);
        SrtHandshake.write(out, timestamp(), hs.socketId(), 5, 0, 0, hs.initialSeq(), hs.mtu(), hs.flowWindow(),
                SrtReject.toHandshakeType(reason), proxySocketId, hs.cookie(), to.getAddress());
        channel.writeAndFlush(new DatagramPacket(out, to));
    }

    /**
     * Queues a datagram to a caller; false when it was dropped because the socket's send buffer is over its high
     * water mark (for UDP the right answer to backpressure: SRT retransmits what matters, queues must not grow).
     */
    boolean sendToClient(ByteBuf packet, InetSocketAddress to, boolean flush) {
        if (!channel.isWritable()) {
            packet.release();
            return false;
        }
        if (flush) {
            channel.writeAndFlush(new DatagramPacket(packet, to), channel.voidPromise());
        } else {
            channel.write(new DatagramPacket(packet, to), channel.voidPromise());
        }
        return true;
    }

    void flushToClients() {
        channel.flush();
    }

    /** Origin-side sockets open right now (handshake attempts and established sessions). */
    void originChannels(int delta) {
        originChannels += delta;
    }

    void handshakeFinished() {
        pending--;
    }

    /** Forgets a closed session: every map entry it owned. */
    void release(SrtSession s) {
        byCaller.remove(s.callerKey(), s);
        byProxySocket.remove(s.proxySocketId(), s);
        toFlush.remove(s);
    }

    private int newProxySocketId() {
        while (true) {
            int id = ThreadLocalRandom.current().nextInt(1, MAX_SOCKET_ID);
            if (!byProxySocket.containsKey(id)) {
                return id;
            }
        }
    }

    private void sweep() {
        try {
            long now = System.nanoTime();
            List<SrtSession> all = new ArrayList<>(byProxySocket.values());
            for (SrtSession s : all) {
                s.tick(now);
            }
        } catch (RuntimeException e) {
            log.warn("SRT sweep failed", e);
        }
    }

    void closeAll(String reason) {
        for (SrtSession s : new ArrayList<>(byProxySocket.values())) {
            s.close(reason, true, true);
        }
    }

    /** Current sizes and counters; call from the loop (tests go through {@link SrtServer#stats()}). */
    SrtStats stats() {
        return new SrtStats(byProxySocket.size(), byCaller.size(), pending, originChannels, inductions, malformed,
                unknownSocket, badCookie, rejected);
    }
}
