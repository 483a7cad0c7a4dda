package io.origincluster.dataplane.metrics;

import io.micrometer.core.instrument.Counter;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client session's meters. The byte counters are the protocol's own, cached here, so counting a relayed packet
 * is one adder increment. {@link #end} counts the session once whatever calls it later.
 */
public final class SessionMeter {

    private final ProtocolMeters protocol;
    private final Counter fromClient;
    private final Counter toClient;
    private final AtomicBoolean ended = new AtomicBoolean();
    private String fixedOrigin;

    SessionMeter(ProtocolMeters protocol) {
        this.protocol = protocol;
        this.fromClient = protocol.fromClient;
        this.toClient = protocol.toClient;
    }

    /** Bytes the client sent that went to the origin. */
    public void fromClient(long bytes) {
        fromClient.increment(bytes);
    }

    /** Bytes the origin sent that went to the client. */
    public void toClient(long bytes) {
        toClient.increment(bytes);
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
        }
    }

    public boolean ended() {
        return ended.get();
    }
}
