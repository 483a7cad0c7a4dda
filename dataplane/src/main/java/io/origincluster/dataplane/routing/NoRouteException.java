package io.origincluster.dataplane.routing;

/** A stream cannot be routed: no backend, or the pinned backend lacks the protocol. Maps to 502/503 or a close. */
public class NoRouteException extends RuntimeException {
    private final boolean retryable;

    public NoRouteException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    /** True when no backend was available at all (503); false when the pinned one cannot serve this protocol. */
    public boolean retryable() {
        return retryable;
    }
}
