package io.origincluster.dataplane.config;

import java.net.InetSocketAddress;
import java.time.Duration;

/** The RTMP listener and its timeouts: the handshake/command phase, and a relay with no traffic. */
public record RtmpSettings(InetSocketAddress listen, Duration handshakeTimeout, Duration idleTimeout) {

    static RtmpSettings from(Env env) {
        Duration handshake = env.duration("PROXY_RTMP_HANDSHAKE_TIMEOUT", "10s");
        if (handshake.toMillis() < 100) {
            throw new ConfigException("PROXY_RTMP_HANDSHAKE_TIMEOUT", "must be at least 100ms");
        }
        Duration idle = env.duration("PROXY_RTMP_IDLE_TIMEOUT", "30s");
        if (idle.toMillis() < 200) {
            throw new ConfigException("PROXY_RTMP_IDLE_TIMEOUT", "must be at least 200ms");
        }
        return new RtmpSettings(env.listen("PROXY_RTMP_SERVER", 11935), handshake, idle);
    }
}
