package io.origincluster.dataplane.routing;

import io.origincluster.state.Protocol;

/**
 * A live session whose origin leg the proxy can replace while the client stays connected. Protocols register
 * theirs with {@link LiveSessions} once the session relays, and unregister when it ends.
 */
public interface MovableSession {

    String sid();

    StreamKey key();

    Protocol protocol();

    /** The origin the session's leg is on now (changes after a move). */
    String backendId();

    /**
     * Moves the session off {@code backendId} (a no-op if it is no longer there): open a leg on another origin
     * through the routing core, switch to it at a clean point, close the old leg. {@code deadlineNanos}
     * ({@link System#nanoTime()} scale) is when the old leg must be closed even if the new one is not ready yet.
     * Called from any thread; the session hops to its own event loop.
     */
    void moveOff(String backendId, String reason, long deadlineNanos);
}
