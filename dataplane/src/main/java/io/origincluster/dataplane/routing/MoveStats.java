package io.origincluster.dataplane.routing;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts of session moves (a drain, an origin's death, a publisher's return), for the metrics endpoint and tests.
 * Stall times are kept as a coarse running maximum and sum; the Prometheus histogram is fed by the same calls.
 */
public final class MoveStats {

    public enum Outcome { STARTED, COMPLETED, FAILED }

    private final AtomicLong started = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong maxStall = new AtomicLong();
    private volatile Listener listener;

    /** Where each count goes besides the counters here (the metrics registry). */
    public interface Listener {
        void moved(String protocol, String reason, Outcome outcome, long stallNanos);
    }

    public void listener(Listener l) {
        listener = l;
    }

    public void record(String protocol, String reason, Outcome outcome, long stallNanos) {
        // The registry first: whoever sees a count here must find the same move in the metrics endpoint.
        Listener l = listener;
        if (l != null) {
            l.moved(protocol, reason, outcome, stallNanos);
        }
        switch (outcome) {
            case STARTED -> started.incrementAndGet();
            case COMPLETED -> {
                completed.incrementAndGet();
                maxStall.accumulateAndGet(stallNanos, Math::max);
            }
            case FAILED -> failed.incrementAndGet();
        }
    }

    public long started() {
        return started.get();
    }

    public long completed() {
        return completed.get();
    }

    /** The longest stall a completed move caused since start. */
    public long maxStallNanos() {
        return maxStall.get();
    }

    public long failed() {
        return failed.get();
    }
}
