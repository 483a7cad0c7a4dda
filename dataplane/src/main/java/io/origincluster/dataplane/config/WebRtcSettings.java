package io.origincluster.dataplane.config;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The WebRTC media port and the WHIP/WHEP candidate rewrite.
 *
 * @param listen        {@code PROXY_WEBRTC_SERVER}: the one UDP port every session shares
 * @param candidate     {@code PROXY_WEBRTC_CANDIDATE}: the host clients reach that port on, written into SDP
 *                      answers. Empty means: the Host header of the WHIP/WHEP request when it is an IP literal,
 *                      else this machine's first non-loopback IPv4 address, else 127.0.0.1
 * @param idleTimeout   {@code PROXY_WEBRTC_IDLE_TIMEOUT}: a session with no datagram either way for this long is
 *                      closed and its backend socket released
 * @param sessionTtl    {@code PROXY_WEBRTC_SESSION_TTL}: lifetime of the shared session record (found by any
 *                      replica); refreshed while packets flow
 * @param maxSessions   {@code PROXY_WEBRTC_MAX_SESSIONS}: cap on relayed sessions (one backend socket each)
 * @param originTimeout {@code PROXY_WEBRTC_ORIGIN_TIMEOUT}: connect and reply timeout of WHIP/WHEP requests
 *                      forwarded to an origin's HTTP API
 */
public record WebRtcSettings(InetSocketAddress listen, String candidate, Duration idleTimeout, Duration sessionTtl,
                             int maxSessions, Duration originTimeout) {

    static WebRtcSettings from(Env env) {
        String candidate = env.string("PROXY_WEBRTC_CANDIDATE", "").trim();
        if (!candidate.isEmpty() && !candidate.matches("[0-9A-Za-z.:_-]{1,253}")) {
            throw new ConfigException("PROXY_WEBRTC_CANDIDATE",
                    "'" + candidate + "' is not an IP address or host name (no port, no brackets)");
        }
        Duration idle = env.duration("PROXY_WEBRTC_IDLE_TIMEOUT", "30s");
        if (idle.isZero() || idle.isNegative()) {
            throw new ConfigException("PROXY_WEBRTC_IDLE_TIMEOUT", "must be positive");
        }
        Duration ttl = env.duration("PROXY_WEBRTC_SESSION_TTL", "120s");
        if (ttl.compareTo(Duration.ofSeconds(3)) < 0) {
            throw new ConfigException("PROXY_WEBRTC_SESSION_TTL", "must be at least 3s");
        }
        return new WebRtcSettings(
                env.listen("PROXY_WEBRTC_SERVER", 18000),
                candidate,
                idle,
                ttl,
                env.integer("PROXY_WEBRTC_MAX_SESSIONS", 10_000, 1, 1_000_000),
                env.duration("PROXY_WEBRTC_ORIGIN_TIMEOUT", "10s"));
    }
}
