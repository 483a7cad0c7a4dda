package io.origincluster.bench;

/**
 * One client's send schedule at a fixed rate: request k is due at {@code start + k * interval}. A client that fell
 * more than one interval behind (the target was slow) restarts its schedule from now instead of bursting to catch
 * up, so the offered rate never exceeds the set rate; the achieved rate is what the window counts.
 */
final class Pacer {

    private final long intervalNanos;
    private long next;

    /** {@code firstDue}: when the first request is due (spread clients over one interval). */
    Pacer(long intervalNanos, long firstDue) {
        if (intervalNanos <= 0) {
            throw new IllegalArgumentException("interval must be positive");
        }
        this.intervalNanos = intervalNanos;
        this.next = firstDue;
    }

    /** When the next request is due, given the time now (may be now or earlier: send at once). */
    long due(long now) {
        long due = next;
        if (due < now - intervalNanos) {
            due = now;
        }
        next = due + intervalNanos;
        return due;
    }
}
