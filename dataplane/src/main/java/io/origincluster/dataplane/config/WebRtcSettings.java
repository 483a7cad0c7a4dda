package io.origincluster.dataplane.config;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The WebRTC media port. {@code candidate} is the address clients reach the proxy on, written into SDP answers;
 * empty means "keep the origin's candidate IP" (only the port is rewritten then).
 */
public record WebRtcSettings(InetSocketAddress listen, String candidate, Duration idleTimeout) {

    static WebRtcSettings from(Env env) {
        return new WebRtcSettings(
                env.listen("PROXY_WEBRTC_SERVER", 18000),
                env.string("PROXY_WEBRTC_CANDIDATE", ""),
                env.duration("PROXY_WEBRTC_IDLE_TIMEOUT", "30s"));
    }
}
