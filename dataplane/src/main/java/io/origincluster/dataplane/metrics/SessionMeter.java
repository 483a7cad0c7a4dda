package io.origincluster.dataplane.metrics;

import io.micrometer.core.instrument.Counter;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client session's meters. The byte counters are the protocol's own, cached here, so counting a relayed packet
 * is one adder increment (two with per-stream meters on: the stream's counter is cached here too). {@link #end}
 * counts the session once whatever calls it later.
 */
public final class SessionMeter {

    private final ProtocolMeters protocol;
    private final Counter fromClient;
    private final Counter toClient;
    private final AtomicBoolean ended = new AtomicBoolean();
    private String fixedOrigin;
    /** The stream's meters once {@link #stream} named it (and per-stream meters are on), else null. */
    private volatile StreamMeters.Entry stream;
    private boolean publisher;
    private boolean named;

    SessionMeter(ProtocolMeters protocol) {
        this.protocol = protocol;
        this.fromClient = protocol.fromClient;
        this.toClient = protocol.toClient;
    }

    /** Bytes the client sent that went to the origin. */
    public void fromClient(long bytes) {
        fromClient.increment(bytes);
        StreamMeters.Entry s = stream;
        if (s != null) {
            s.fromClient.increment(bytes);
        }
    }

    /** Bytes the origin sent that went to the client. */
    public void toClient(long bytes) {
        toClient.increment(bytes);
        StreamMeters.Entry s = stream;
        if (s != null) {
            s.toClient.increment(bytes);
        }
    }

    /**
     * The session is for stream {@code key}, as a publisher or a player: counted in the per-stream meters (when
     * they are on) until it ends. Every protocol calls this once, where it has parsed the stream key; later calls
     * are ignored.
     */
    public synchronized void stream(io.origincluster.dataplane.routing.StreamKey key, boolean publisher) {
        if (!named && !ended.get()) {
            named = true;
            this.publisher = publisher;
            stream = protocol.streams().attach(key.toString(), publisher, protocol.protocol());
        }
    }

    /**
     * The session relays through {@code backendId} for the rest of its life (protocols whose sessions never move:
     * WebRTC, SRT); counted in the per-origin sessions until the session ends.
     */
    public synchronized void onOrigin(String backendId) {
        if (fixedOrigin == null && !ended.get()) {
            fixedOrigin = backendId;
            protocol.fixedOrigin(backendId);
        }
    }

    public synchronized void end(SessionMetrics.Result result) {
        if (ended.compareAndSet(false, true)) {
            protocol.ended(result, fixedOrigin);
            StreamMeters.Entry s = stream;
            if (s != null) {
                protocol.streams().detach(s, publisher, protocol.protocol());
            }
        }
    }

    public boolean ended() {
        return ended.get();
    }
}
