package io.origincluster.dataplane.config;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The SRT port; the deadline for one origin's half of a handshake (libsrt callers give up after 3 s by default,
 * so a 1 s deadline leaves room to fail over to another origin); the idle timeout after which a session with no
 * traffic in one direction is closed; and the cap on sessions whose origin handshake is still in flight.
 */
public record SrtSettings(InetSocketAddress listen, Duration handshakeTimeout, Duration idleTimeout,
                          int maxPendingHandshakes) {

    static SrtSettings from(Env env) {
        Duration handshake = env.duration("PROXY_SRT_HANDSHAKE_TIMEOUT", "1s");
        if (handshake.toMillis() < 50) {
            throw new ConfigException("PROXY_SRT_HANDSHAKE_TIMEOUT", "must be at least 50ms");
        }
        Duration idle = env.duration("PROXY_SRT_IDLE_TIMEOUT", "30s");
        if (idle.toMillis() < 1000) {
            throw new ConfigException("PROXY_SRT_IDLE_TIMEOUT", "must be at least 1s");
        }
        return new SrtSettings(
                env.listen("PROXY_SRT_SERVER", 20080),
                handshake,
                idle,
                env.integer("PROXY_SRT_MAX_PENDING_HANDSHAKES", 1024, 1, 1_000_000));
    }
}
