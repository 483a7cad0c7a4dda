package io.origincluster.dataplane.config;

import java.net.InetSocketAddress;
import java.time.Duration;

/** The SRT port, the deadline for the backend half of a handshake, and the idle timeout of a session. */
public record SrtSettings(InetSocketAddress listen, Duration handshakeTimeout, Duration idleTimeout) {

    static SrtSettings from(Env env) {
        return new SrtSettings(
                env.listen("PROXY_SRT_SERVER", 20080),
                env.duration("PROXY_SRT_HANDSHAKE_TIMEOUT", "3s"),
                env.duration("PROXY_SRT_IDLE_TIMEOUT", "30s"));
    }
}
