package io.origincluster.dataplane.routing;

import io.origincluster.state.BackendEvent;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions this proxy relays right now, by origin: what the system API counts per origin, and what a drain
 * moves. One mechanism for every protocol: a session registers once it relays ({@link #add}) and unregisters when
 * it ends; when an origin starts draining or leaves the state store (an event from any proxy or the operator),
 * every movable session on it is asked to move before {@code drainTimeout}. Sessions that cannot move (WebRTC,
 * SRT) are counted but left to end on their own.
 */
public final class LiveSessions {

    private static final Logger log = LoggerFactory.getLogger(LiveSessions.class);

    private final ConcurrentHashMap<MovableSession, Boolean> sessions = new ConcurrentHashMap<>();
    private final LongSupplier drainTimeoutNanos;
    private final MoveStats stats = new MoveStats();

    public LiveSessions(LongSupplier drainTimeoutNanos) {
        this.drainTimeoutNanos = drainTimeoutNanos;
    }

    public void add(MovableSession s) {
        sessions.put(s, Boolean.TRUE);
    }

    public void remove(MovableSession s) {
        sessions.remove(s);
    }

    public int size() {
        return sessions.size();
    }

    /** Sessions through this proxy per origin id. */
    public Map<String, Integer> countsByBackend() {
        Map<String, Integer> out = new TreeMap<>();
        for (MovableSession s : sessions.keySet()) {
            out.merge(s.backendId(), 1, Integer::sum);
        }
        return out;
    }

    public MoveStats stats() {
        return stats;
    }

    /** Asks every session on {@code backendId} to move; returns how many were asked. */
    public int moveAllOff(String backendId, String reason) {
        return moveAllOff(backendId, reason, false);
    }

    /** @param audit true when a periodic check asks again (sessions already moving ignore it): logged at debug */
    int moveAllOff(String backendId, String reason, boolean audit) {
        long deadline = System.nanoTime() + drainTimeoutNanos.getAsLong();
        int n = 0;
        for (MovableSession s : Set.copyOf(sessions.keySet())) {
            if (s.backendId().equals(backendId)) {
                s.moveOff(backendId, reason, deadline);
                n++;
            }
        }
        if (n > 0) {
            (audit ? log.atDebug() : log.atInfo()).addKeyValue("backend", backendId).addKeyValue("sessions", n).log("moving sessions: {}",
                    reason);
        }
        return n;
    }

    void onBackendEvent(BackendEvent event) {
        switch (event.type()) {
            case DRAINING -> moveAllOff(event.backendId(), "origin draining");
            case REMOVED -> moveAllOff(event.backendId(), "origin removed");
            default -> { }
        }
    }
}
