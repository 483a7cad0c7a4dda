package io.origincluster.dataplane.config;

import io.origincluster.state.PlacementPolicy;
import java.time.Duration;

/**
 * How streams are placed and how long a pin outlives its last session. {@code connectRetries} bounds how many
 * other origins a session tries after the pinned one refuses.
 */
public record RoutingSettings(String placement, PlacementPolicy policy, Duration pinTtl, Duration connectTimeout,
                              int connectRetries, Duration pinCacheTtl) {

    static RoutingSettings from(Env env) {
        String name = env.string("PROXY_PLACEMENT", "least-pinned");
        PlacementPolicy policy;
        try {
            policy = PlacementPolicy.named(name);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("PROXY_PLACEMENT", e.getMessage());
        }
        Duration pinTtl = env.duration("PROXY_PIN_TTL", "60s");
        if (pinTtl.toMillis() < 1000) {
            throw new ConfigException("PROXY_PIN_TTL", "must be at least 1s");
        }
        Duration connect = env.duration("PROXY_CONNECT_TIMEOUT", "3s");
        int retries = env.integer("PROXY_CONNECT_RETRIES", 2, 0, 10);
        Duration cache = env.duration("PROXY_PIN_CACHE_TTL", "1s");
        return new RoutingSettings(name, policy, pinTtl, connect, retries, cache);
    }
}
