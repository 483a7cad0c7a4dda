package io.origincluster.dataplane.config;

import java.net.InetSocketAddress;
import java.time.Duration;

/** The RTMP listener and its timeouts: the handshake/command phase, and a relay with no traffic. */
public record RtmpSettings(InetSocketAddress listen, Duration handshakeTimeout, Duration idleTimeout) {

    static RtmpSettings from(Env env) {
        return new RtmpSettings(
                env.listen("PROXY_RTMP_SERVER", 11935),
                env.duration("PROXY_RTMP_HANDSHAKE_TIMEOUT", "10s"),
                env.duration("PROXY_RTMP_IDLE_TIMEOUT", "30s"));
    }
}
