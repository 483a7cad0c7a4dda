package io.origincluster.dataplane.routing;

/**
 * A move request that arrived while the session was already moving (a rolling update drains one origin after the
 * other, and the new leg may sit on the next one): kept, and asked again when the current move is over, instead of
 * waiting for the next audit. Confined to the session's event loop, like the session itself.
 */
public final class DeferredMove {

    private String from;
    private String reason;
    private long deadlineNanos;

    /** Keeps the latest request; an earlier one is superseded. */
    public void defer(String from, String reason, long deadlineNanos) {
        this.from = from;
        this.reason = reason;
        this.deadlineNanos = deadlineNanos;
    }

    /** Hands a kept request to {@code session} once, and forgets it. */
    public void replay(MovableSession session) {
        String f = from;
        from = null;
        if (f != null) {
            session.moveOff(f, reason, deadlineNanos);
        }
    }
}
