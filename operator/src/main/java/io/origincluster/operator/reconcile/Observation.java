package io.origincluster.operator.reconcile;

/**
 * What one reconcile saw in the cluster and the store; the status is computed from this alone.
 *
 * @param rolledOut    both Deployments have observed their latest spec and run only updated pods
 * @param problemReason null when nothing failed; otherwise the Degraded reason (e.g. RedisUnavailable)
 */
public record Observation(long generation, int desiredOrigins, int readyOrigins, int desiredProxies,
                          int readyProxies, int registered, int streams, boolean rolledOut,
                          String problemReason, String problemMessage) {

    public Observation withProblem(String reason, String message) {
        return new Observation(generation, desiredOrigins, readyOrigins, desiredProxies, readyProxies, registered,
                streams, rolledOut, reason, message);
    }
}
