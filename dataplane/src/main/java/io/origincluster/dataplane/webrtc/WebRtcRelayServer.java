package io.origincluster.dataplane.webrtc;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.origincluster.dataplane.ProtocolServer;
import io.origincluster.dataplane.config.WebRtcSettings;
import io.origincluster.dataplane.netty.OriginDial;
import io.origincluster.dataplane.netty.Transports;
import io.origincluster.dataplane.routing.RoutingCore;
import io.origincluster.dataplane.routing.StreamKey;
import io.origincluster.state.SessionKind;
import io.origincluster.state.SessionRecord;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebRTC media port: one UDP socket for every session. A STUN binding request names its session by USERNAME;
 * the session is found in this replica's memory, else in the shared state store (so signalling may have happened
 * on another replica), and gets its own connected socket towards the origin. Other datagrams (DTLS, SRTP) are
 * routed by the client's address, which follows the latest valid STUN request. Sessions without traffic for the
 * idle timeout are closed and every entry and socket is released.
 *
 * <p>All state is confined to one event loop (the listener's; backend sockets are registered on it too), so the
 * maps need no locks and no packet crosses threads.
 */
public final class WebRtcRelayServer implements ProtocolServer {

    private static final Logger log = LoggerFactory.getLogger(WebRtcRelayServer.class);

    /** Concurrent store lookups for unknown usernames; beyond this new usernames are dropped until one ends. */
    static final int MAX_LOOKUPS = 1024;
    /** Datagrams held per username while its lookup runs (ICE retransmits, so a few suffice). */
    static final int LOOKUP_QUEUE = 4;
    /** An unknown username is not looked up again for this long, so a STUN flood cannot flood the store. */
    static final long MISS_HOLD_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** WebRTC keeps packets under the path MTU; SRS's proxy reads 4096 bytes too. Larger ones are cut. */
    static final int MAX_DATAGRAM = 4096;
    /** Every session shares one socket, so its kernel buffers must absorb bursts of all of them. */
    static final int SHARED_SOCKET_BUFFER = 4 * 1024 * 1024;

    private static final class Lookup {
        final ArrayDeque<DatagramPacket> queued = new ArrayDeque<>();
        long missedUntil;
    }

    private record Known(SessionRecord record, long expiresAt) { }

    /** Counts for tests and metrics, read on the loop. */
    public record Stats(int sessions, int clientAddresses, int lookups, int known, int backendSockets,
                        long toOrigin, long toClient, long dropped) { }

    private final WebRtcSettings settings;
    private final RoutingCore routing;
    private final Transports transports;
    private final Map<String, RelaySession> byUsername = new HashMap<>();
    private final Map<InetSocketAddress, RelaySession> byClient = new HashMap<>();
    private final Map<String, Lookup> lookups = new HashMap<>();
    private final Map<String, Known> known = new HashMap<>();
    private final long idleNanos;
    private final long touchEveryNanos;
    private Channel listener;
    private EventLoop loop;
    private ScheduledFuture<?> sweeper;
    /** Room for one datagram plus two HMACs, for STUN integrity checks on the loop. */
    private final byte[] scratch = new byte[MAX_DATAGRAM + 2 * StunCodec.INTEGRITY_LENGTH];
    private int backendSockets;
    private long toOrigin;
    private long toClient;
    private long dropped;
    private final io.origincluster.dataplane.metrics.ProtocolMeters meters;

    public WebRtcRelayServer(WebRtcSettings settings, RoutingCore routing, Transports transports,
                             io.origincluster.dataplane.metrics.ProtocolMeters meters) {
        this.meters = meters;
        this.settings = settings;
        this.routing = routing;
        this.transports = transports;
        this.idleNanos = settings.idleTimeout().toNanos();
        this.touchEveryNanos = settings.sessionTtl().toNanos() / 3;
    }

    @Override
    public String name() {
        return "webrtc";
    }

    @Override
    public void start() throws Exception {
        listener = new Bootstrap().group(transports.workers()).channel(transports.datagramChannel())
                .option(ChannelOption.SO_RCVBUF, SHARED_SOCKET_BUFFER)
                .option(ChannelOption.SO_SNDBUF, SHARED_SOCKET_BUFFER)
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM))
                .handler(new ClientSide()).bind(settings.listen()).sync().channel();
        loop = listener.eventLoop();
        long period = Math.max(100, Math.min(1000, settings.idleTimeout().toMillis() / 4));
        sweeper = loop.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    /**
     * Tells this replica about a session it just signalled, so its first STUN request needs no store round trip.
     * The store still holds the record for every other replica.
     */
    public void expect(SessionRecord record) {
        loop.execute(() -> {
            if (known.size() < settings.maxSessions()) {
                known.put(record.id(), new Known(record, System.nanoTime() + idleNanos));
            }
        });
    }

    /** Ends a session at once (WHIP/WHEP DELETE); a no-op when this replica does not relay it. */
    public void close(String username) {
        loop.execute(() -> {
            known.remove(username);
            RelaySession s = byUsername.get(username);
            if (s != null) {
                closeSession(s, "deleted");
            }
        });
    }

    /** The record of a session this replica signalled or relays; empty when it only lives in the store. */
    public CompletableFuture<Optional<SessionRecord>> localRecord(String username) {
        CompletableFuture<Optional<SessionRecord>> f = new CompletableFuture<>();
        loop.execute(() -> {
            RelaySession s = byUsername.get(username);
            Known k = known.get(username);
            f.complete(Optional.ofNullable(s != null ? s.record : k != null ? k.record() : null));
        });
        return f;
    }

    public CompletableFuture<Stats> stats() {
        CompletableFuture<Stats> f = new CompletableFuture<>();
        loop.execute(() -> f.complete(new Stats(byUsername.size(), byClient.size(), lookups.size(), known.size(),
                backendSockets, toOrigin, toClient, dropped)));
        return f;
    }

    private final class ClientSide extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof DatagramPacket packet)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            try {
                onClientDatagram(packet);
            } finally {
                packet.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A failed send (e.g. ICMP unreachable) must not end the shared socket.
            log.atDebug().addKeyValue("error", cause.toString()).log("webrtc listener error");
        }
    }

    /** Routes one client datagram; the caller releases {@code packet}, anything kept is retained here. */
    private void onClientDatagram(DatagramPacket packet) {
        ByteBuf data = packet.content();
        long now = System.nanoTime();
        String username = StunCodec.looksLikeStun(data) ? StunCodec.bindingRequestUsername(data) : null;
        if (username != null) {
            onBindingRequest(username, packet, now);
            return;
        }
        RelaySession s = byClient.get(packet.sender());
        if (s == null) {
            dropped++;
            return;
        }
        toOrigin++;
        s.toOrigin(data.retain(), now);
    }

    private void onBindingRequest(String username, DatagramPacket packet, long now) {
        RelaySession s = byUsername.get(username);
        if (s == null) {
            Known k = known.get(username);
            if (k != null) {
                s = open(k.record(), packet, now);
                if (s == null) {
                    dropped++;
                    return;
                }
                known.remove(username);
            }
        }
        if (s != null) {
            if (!packet.sender().equals(s.client)) {
                // Only a request signed with the session's ICE password may move the session to a new address.
                if (!authentic(s.integrity, packet.content())) {
                    dropped++;
                    return;
                }
                follow(s, packet.sender());
            }
            toOrigin++;
            s.toOrigin(packet.content().retain(), now);
            return;
        }
        Lookup l = lookups.get(username);
        if (l != null) {
            if (l.missedUntil == 0 && l.queued.size() < LOOKUP_QUEUE) {
                l.queued.add(packet.retain());
            } else {
                dropped++;
            }
            return;
        }
        if (lookups.size() >= MAX_LOOKUPS) {
            dropped++;
            return;
        }
        Lookup lookup = new Lookup();
        lookup.queued.add(packet.retain());
        lookups.put(username, lookup);
        routing.store().session(SessionKind.WEBRTC, username).whenComplete((rec, err) ->
                loop.execute(() -> onLookupDone(username, lookup, rec, err)));
    }

    private void onLookupDone(String username, Lookup lookup, Optional<SessionRecord> rec, Throwable err) {
        if (lookups.get(username) != lookup) {
            releaseAll(lookup.queued);
            return;
        }
        long now = System.nanoTime();
        RelaySession s = null;
        if (err == null && rec.isPresent() && listener.isOpen()) {
            for (java.util.Iterator<DatagramPacket> it = lookup.queued.descendingIterator(); it.hasNext() && s == null; ) {
                s = open(rec.get(), it.next(), now);
            }
        } else if (err != null) {
            log.atWarn().addKeyValue("username", username).addKeyValue("error", err.toString())
                    .log("webrtc session lookup failed");
        }
        if (s == null) {
            dropped += lookup.queued.size();
            releaseAll(lookup.queued);
            lookup.missedUntil = now + MISS_HOLD_NANOS;
            return;
        }
        lookups.remove(username);
        DatagramPacket p;
        while ((p = lookup.queued.poll()) != null) {
            toOrigin++;
            s.toOrigin(p.content().retain(), now);
            p.release();
        }
    }

    /**
     * Creates the session, with the sender of {@code first} as its client, and its backend socket; null when the
     * request is not signed with the session's password, the cap is reached or the record is unusable.
     */
    private RelaySession open(SessionRecord record, DatagramPacket first, long now) {
        Mac integrity = integrityMac(record.attributes().get("icePwd"));
        if (!authentic(integrity, first.content())) {
            return null;
        }
        InetSocketAddress client = first.sender();
        InetSocketAddress origin = originAddress(record);
        if (origin == null || byUsername.size() >= settings.maxSessions()) {
            log.atWarn().addKeyValue("sid", record.attributes().get("sid")).addKeyValue("username", record.id())
                    .log(origin == null ? "webrtc session record has no usable origin address"
                            : "webrtc session cap reached, session refused");
            meters.open().end(origin == null ? io.origincluster.dataplane.metrics.SessionMetrics.Result.NO_ROUTE
                    : io.origincluster.dataplane.metrics.SessionMetrics.Result.PROXY_ERROR);
            return null;
        }
        RelaySession s = new RelaySession(record, parseKey(record.streamKey()), origin, integrity, now);
        s.meter = meters.open();
        s.meter.onOrigin(record.backendId());
        String api = record.attributes().get("api");
        s.meter.stream(s.streamKey, "whip".equals(api) || "publish".equals(api));
        byUsername.put(s.username, s);
        follow(s, client);
        ChannelFuture f = new Bootstrap().group(loop).channel(transports.datagramChannel())
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM))
                .handler(new OriginSide(s)).connect(origin);
        s.backend = f.channel();
        if (s.backend.isOpen()) { // no socket at all (EMFILE) means nothing to count or close
            backendSockets++;
            s.backend.closeFuture().addListener(x -> backendSockets--);
        }
        f.addListener(done -> {
            if (done.isSuccess()) {
                s.onConnected();
                return;
            }
            Throwable cause = OriginDial.failure(f);
            Runnable close = () -> {
                if (byUsername.get(s.username) == s) {
                    closeSession(s, "origin socket failed: " + cause);
                }
            };
            if (loop.inEventLoop()) {
                close.run();
            } else {
                loop.execute(close); // a dial that never got a socket completes off the loop
            }
        });
        log.atInfo().addKeyValue("sid", s.sid).addKeyValue("key", record.streamKey())
                .addKeyValue("backend", record.backendId()).addKeyValue("origin", origin)
                .addKeyValue("client", client).log("webrtc session relayed");
        return s;
    }

    private boolean authentic(Mac integrity, ByteBuf request) {
        return integrity == null || StunCodec.integrityMatches(request, integrity, scratch);
    }

    static Mac integrityMac(String icePwd) {
        if (icePwd == null || icePwd.isEmpty()) {
            return null;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(icePwd.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 unavailable", e);
        }
    }

    /** Points the session at {@code client}; the newest address wins, as ICE consent and NAT rebinding need. */
    private void follow(RelaySession s, InetSocketAddress client) {
        if (client.equals(s.client)) {
            return;
        }
        if (s.client != null && byClient.get(s.client) == s) {
            byClient.remove(s.client);
        }
        RelaySession previous = byClient.put(client, s);
        if (previous != null && previous != s) {
            previous.client = null; // that session re-binds on its own next STUN request
        }
        s.client = client;
    }

    private final class OriginSide extends ChannelInboundHandlerAdapter {
        private final RelaySession s;

        OriginSide(RelaySession s) {
            this.s = s;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                ByteBuf data = msg instanceof DatagramPacket p ? p.content() : msg instanceof ByteBuf b ? b : null;
                InetSocketAddress client = s.client;
                if (data == null || client == null || !listener.isWritable()) {
                    dropped++;
                    return;
                }
                s.lastPacketNanos = System.nanoTime();
                s.packetsToClient++;
                s.meter.toClient(data.readableBytes());
                toClient++;
                listener.write(new DatagramPacket(data.retain(), client), listener.voidPromise());
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            listener.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP port unreachable while the origin is still starting up: keep the session, the idle timer decides.
            log.atDebug().addKeyValue("sid", s.sid).addKeyValue("error", cause.toString()).log("origin socket error");
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        for (RelaySession s : new ArrayList<>(byUsername.values())) {
            if (now - s.lastPacketNanos > idleNanos) {
                closeSession(s, "idle");
            } else if (now - s.lastTouchNanos > touchEveryNanos) {
                s.lastTouchNanos = now;
                // A record that is gone was deleted (WHIP DELETE on any replica): end the relay here too.
                routing.store().touchSession(SessionKind.WEBRTC, s.username, settings.sessionTtl())
                        .whenComplete((alive, err) -> {
                            if (err == null && !alive) {
                                loop.execute(() -> {
                                    if (byUsername.get(s.username) == s) {
                                        closeSession(s, "session record deleted");
                                    }
                                });
                            }
                        });
                if (s.streamKey != null) {
                    routing.touch(s.streamKey, s.record.backendId());
                }
            }
        }
        lookups.values().removeIf(l -> l.missedUntil != 0 && now - l.missedUntil > 0);
        known.values().removeIf(k -> now - k.expiresAt() > 0);
    }

    private void closeSession(RelaySession s, String reason) {
        byUsername.remove(s.username);
        if (s.client != null && byClient.get(s.client) == s) {
            byClient.remove(s.client);
        }
        s.releaseQueued();
        s.meter.end(io.origincluster.dataplane.metrics.SessionMetrics.Result.OK);
        OriginDial.closeQuietly(s.backend);
        log.atInfo().addKeyValue("sid", s.sid).addKeyValue("key", s.record.streamKey())
                .addKeyValue("toOrigin", s.packetsToOrigin).addKeyValue("toClient", s.packetsToClient)
                .log("webrtc session closed: {}", reason);
    }

    /** The origin's media address from the record; only IP literals, so no DNS lookup ever runs on the loop. */
    static InetSocketAddress originAddress(SessionRecord record) {
        String host = record.attributes().get("rtcHost");
        String port = record.attributes().get("rtcPort");
        if (host == null || port == null) {
            return null;
        }
        InetAddress ip = NetUtil.createInetAddressFromIpAddressString(host);
        try {
            int p = Integer.parseInt(port);
            return ip == null || p < 1 || p > 65535 ? null : new InetSocketAddress(ip, p);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static StreamKey parseKey(String key) {
        int first = key.indexOf('/');
        int last = key.lastIndexOf('/');
        if (first <= 0 || last <= first) {
            return null;
        }
        try {
            return new StreamKey(key.substring(0, first), key.substring(first + 1, last), key.substring(last + 1));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void releaseAll(ArrayDeque<DatagramPacket> queue) {
        DatagramPacket p;
        while ((p = queue.poll()) != null) {
            p.release();
        }
    }

    @Override
    public void stop(Duration grace) {
        if (listener == null) {
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            if (sweeper != null) {
                sweeper.cancel(false);
            }
            for (RelaySession s : new ArrayList<>(byUsername.values())) {
                closeSession(s, "shutdown");
            }
            lookups.values().forEach(l -> releaseAll(l.queued));
            lookups.clear();
            known.clear();
            done.complete(null);
        });
        try {
            done.get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.warn("webrtc relay did not stop in time", e);
        }
        listener.close().awaitUninterruptibly(grace.toMillis());
    }
}
