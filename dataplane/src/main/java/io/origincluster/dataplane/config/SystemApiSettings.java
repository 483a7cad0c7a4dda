package io.origincluster.dataplane.config;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The register/health API. An empty token means registration is open (as in SRS); keep the port private then.
 * {@code idleTimeout} closes keep-alive connections nobody uses; SRS opens a new connection per heartbeat anyway.
 */
public record SystemApiSettings(InetSocketAddress listen, String token, Duration registerTtl, int maxBodyBytes,
                                Duration idleTimeout, String readToken, CidrList registerAllowed) {

    static SystemApiSettings from(Env env) {
        InetSocketAddress listen = env.listen("PROXY_SYSTEM_API", 12025);
        String token = env.secret("PROXY_SYSTEM_API_TOKEN");
        Duration ttl = env.duration("PROXY_REGISTER_TTL", "30s");
        if (ttl.toMillis() < 1000) {
            throw new ConfigException("PROXY_REGISTER_TTL", "must be at least 1s");
        }
        int max = env.integer("PROXY_SYSTEM_API_MAX_BODY", 64 * 1024, 1024, 16 * 1024 * 1024);
        Duration idle = env.duration("PROXY_SYSTEM_API_IDLE_TIMEOUT", "30s");
        if (idle.toMillis() < 100) {
            throw new ConfigException("PROXY_SYSTEM_API_IDLE_TIMEOUT", "must be at least 100ms");
        }
        String readToken = env.secret("PROXY_SYSTEM_API_READ_TOKEN");
        CidrList allowed;
        try {
            allowed = CidrList.parse(env.string("PROXY_REGISTER_ALLOWED_CIDRS", CidrList.PRIVATE));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("PROXY_REGISTER_ALLOWED_CIDRS", e.getMessage());
        }
        return new SystemApiSettings(listen, token, ttl, max, idle, readToken, allowed);
    }

    @Override
    public String toString() {
        return "SystemApiSettings[listen=" + listen + ", token=" + (token.isEmpty() ? "none" : "******")
                + ", registerTtl=" + registerTtl + ", maxBodyBytes=" + maxBodyBytes + ", idleTimeout=" + idleTimeout
                + ", readToken=" + (readToken.isEmpty() ? "none" : "******") + ", registerAllowed=" + registerAllowed
                + "]";
    }
}
