package io.origincluster.state;

/** Redis-backed state for many proxies. Implementation lands with the state-store work of the foundation issue. */
public final class RedisStateStore {
    private RedisStateStore() {
    }

    public static StateStore connect(String redisUri, String clusterId, PlacementPolicy policy) {
        throw new UnsupportedOperationException("Redis state store not implemented yet");
    }
}
