package io.origincluster.dataplane.webrtc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.origincluster.dataplane.routing.StreamKey;
import io.origincluster.state.SessionRecord;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import javax.crypto.Mac;

/**
 * One relayed ICE session: the client's current address and the connected backend socket towards the origin.
 * Confined to the relay's event loop, so it has no locks.
 */
final class RelaySession {

    /** Datagrams held while the backend socket connects; ICE retransmits, so a few are plenty. */
    static final int MAX_QUEUED = 16;

    final String username;
    final String sid;
    final SessionRecord record;
    final StreamKey streamKey;
    final InetSocketAddress origin;
    /** HMAC-SHA1 keyed with the answer's ICE password; null when the record carries none (nothing to verify). */
    final Mac integrity;
    InetSocketAddress client;
    Channel backend;
    boolean connected;
    final ArrayDeque<ByteBuf> queued = new ArrayDeque<>();
    long lastPacketNanos;
    long lastTouchNanos;
    long packetsToOrigin;
    long packetsToClient;
    /** Set by the relay right after construction. */
    io.origincluster.dataplane.metrics.SessionMeter meter;

    RelaySession(SessionRecord record, StreamKey streamKey, InetSocketAddress origin, Mac integrity, long now) {
        this.integrity = integrity;
        this.username = record.id();
        this.sid = record.attributes().getOrDefault("sid", record.id());
        this.record = record;
        this.streamKey = streamKey;
        this.origin = origin;
        this.lastPacketNanos = now;
        this.lastTouchNanos = now;
    }

    /** Sends (or, while connecting, queues) one datagram to the origin; takes ownership of {@code data}. */
    void toOrigin(ByteBuf data, long now) {
        lastPacketNanos = now;
        if (connected) {
            packetsToOrigin++;
            meter.fromClient(data.readableBytes());
            backend.writeAndFlush(data, backend.voidPromise());
        } else if (queued.size() < MAX_QUEUED && backend != null && backend.isOpen()) {
            queued.add(data);
        } else {
            data.release();
        }
    }

    void onConnected() {
        connected = true;
        ByteBuf b;
        while ((b = queued.poll()) != null) {
            packetsToOrigin++;
            meter.fromClient(b.readableBytes());
            backend.write(b, backend.voidPromise());
        }
        backend.flush();
    }

    void releaseQueued() {
        ByteBuf b;
        while ((b = queued.poll()) != null) {
            b.release();
        }
    }
}
