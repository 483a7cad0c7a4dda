package io.origincluster.dataplane.metrics;

import io.origincluster.dataplane.routing.NoRouteException;

/**
 * The routing core ran out of origins after dialling at least one that failed: to the protocol code it is the same
 * {@link NoRouteException} (same message, same retryable flag, so replies do not change); to the metrics it is a
 * refusal by origins, not an empty cluster.
 */
final class OriginsRefusedException extends NoRouteException {

    OriginsRefusedException(NoRouteException cause) {
        super(cause.getMessage(), cause.retryable());
        initCause(cause);
    }
}
