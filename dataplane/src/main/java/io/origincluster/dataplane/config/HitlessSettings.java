package io.origincluster.dataplane.config;

import java.time.Duration;

/**
 * How live sessions survive origin changes. {@code drainTimeout} bounds a make-before-break move off a draining
 * origin (sessions still there at the deadline are moved break-before-make); {@code playerHold} is how long a
 * player whose stream vanished (origin died, publisher reconnecting) is kept waiting for it to come back;
 * {@code publishBufferBytes} bounds the media a publisher's session keeps to re-create its origin leg.
 */
public record HitlessSettings(Duration drainTimeout, Duration playerHold, int publishBufferBytes) {

    static HitlessSettings from(Env env) {
        Duration drain = env.duration("PROXY_DRAIN_TIMEOUT", "30s");
        if (drain.toMillis() < 1000) {
            throw new ConfigException("PROXY_DRAIN_TIMEOUT", "must be at least 1s");
        }
        Duration hold = env.duration("PROXY_PLAYER_HOLD", "10s");
        if (hold.isNegative()) {
            throw new ConfigException("PROXY_PLAYER_HOLD", "must not be negative");
        }
        int buffer = env.integer("PROXY_PUBLISH_BUFFER_BYTES", 8 << 20, 64 << 10, 256 << 20);
        return new HitlessSettings(drain, hold, buffer);
    }

    public static HitlessSettings defaults() {
        return new HitlessSettings(Duration.ofSeconds(30), Duration.ofSeconds(10), 8 << 20);
    }
}
