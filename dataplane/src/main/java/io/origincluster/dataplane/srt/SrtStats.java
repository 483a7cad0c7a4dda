package io.origincluster.dataplane.srt;

/**
 * A snapshot of the SRT relay: map sizes (sessions by proxy socket id, by caller, handshakes in flight), open
 * origin-side sockets, and drop/reject counters since start.
 */
public record SrtStats(int sessions, int callers, int pendingHandshakes, int originSockets, long inductions,
                       long malformed, long unknownSocket, long badCookie, long rejected) {
}
