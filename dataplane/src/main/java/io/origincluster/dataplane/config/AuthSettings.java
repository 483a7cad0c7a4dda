package io.origincluster.dataplane.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;

/**
 * Who may publish and play ({@code PROXY_AUTH}): {@code off} (anyone), {@code token} (HMAC tokens keyed by
 * {@code PROXY_AUTH_SECRET}) or {@code http} (a hook at {@code PROXY_AUTH_HOOK_URL}). The secret is also what
 * {@code POST /api/v1/tokens} and the jar's {@code token} command sign with, so it is read in every mode.
 */
public record AuthSettings(Mode mode, String secret, URI hookUrl, Duration hookTimeout, Duration hookCacheTtl,
                           int hookCacheSize, PublisherConflict publisherConflict, Duration publisherLeaseTtl) {

    public enum Mode { OFF, TOKEN, HTTP }

    /** A publish for a stream that already has a publisher: refused, taking over, or allowed (no lease at all). */
    public enum PublisherConflict { REFUSE, TAKEOVER, ALLOW }

    static AuthSettings from(Env env) {
        String m = env.string("PROXY_AUTH", "off").trim().toLowerCase(Locale.ROOT);
        Mode mode = switch (m) {
            case "off" -> Mode.OFF;
            case "token" -> Mode.TOKEN;
            case "http" -> Mode.HTTP;
            default -> throw new ConfigException("PROXY_AUTH", "'" + m + "' is not off, token or http");
        };
        String secret = env.secret("PROXY_AUTH_SECRET");
        if (!secret.isEmpty() && secret.length() < 16) {
            throw new ConfigException("PROXY_AUTH_SECRET", "must be at least 16 characters");
        }
        if (mode == Mode.TOKEN && secret.isEmpty()) {
            throw new ConfigException("PROXY_AUTH_SECRET", "is required with PROXY_AUTH=token");
        }
        String hook = env.string("PROXY_AUTH_HOOK_URL", "");
        URI hookUrl = null;
        if (!hook.isEmpty()) {
            try {
                hookUrl = new URI(hook.trim());
            } catch (URISyntaxException e) {
                throw new ConfigException("PROXY_AUTH_HOOK_URL", "'" + hook + "' is not a URL");
            }
            if (!"http".equals(hookUrl.getScheme()) && !"https".equals(hookUrl.getScheme())
                    || hookUrl.getHost() == null) {
                throw new ConfigException("PROXY_AUTH_HOOK_URL", "'" + hook + "' is not an http:// or https:// URL");
            }
        }
        if (mode == Mode.HTTP && hookUrl == null) {
            throw new ConfigException("PROXY_AUTH_HOOK_URL", "is required with PROXY_AUTH=http");
        }
        Duration timeout = env.duration("PROXY_AUTH_HOOK_TIMEOUT", "3s");
        if (timeout.toMillis() < 10 || timeout.toSeconds() > 60) {
            throw new ConfigException("PROXY_AUTH_HOOK_TIMEOUT", "must be between 10ms and 60s");
        }
        Duration cacheTtl = env.duration("PROXY_AUTH_HOOK_CACHE_TTL", "10s");
        int cacheSize = env.integer("PROXY_AUTH_HOOK_CACHE_SIZE", 10_000, 0, 1_000_000);
        String c = env.string("PROXY_PUBLISHER_CONFLICT", "refuse").trim().toLowerCase(Locale.ROOT);
        PublisherConflict conflict = switch (c) {
            case "refuse" -> PublisherConflict.REFUSE;
            case "takeover" -> PublisherConflict.TAKEOVER;
            case "allow" -> PublisherConflict.ALLOW;
            default -> throw new ConfigException("PROXY_PUBLISHER_CONFLICT", "'" + c + "' is not refuse, takeover or allow");
        };
        Duration leaseTtl = env.duration("PROXY_PUBLISHER_LEASE_TTL", "15s");
        if (leaseTtl.toMillis() < 1000) {
            throw new ConfigException("PROXY_PUBLISHER_LEASE_TTL", "must be at least 1s");
        }
        return new AuthSettings(mode, secret, hookUrl, timeout, cacheTtl, cacheSize, conflict, leaseTtl);
    }

    @Override
    public String toString() {
        return "AuthSettings[mode=" + mode + ", secret=" + (secret.isEmpty() ? "none" : "******") + ", hookUrl="
                + hookUrl + ", hookTimeout=" + hookTimeout + ", hookCacheTtl=" + hookCacheTtl + ", hookCacheSize="
                + hookCacheSize + ", publisherConflict=" + publisherConflict + ", publisherLeaseTtl="
                + publisherLeaseTtl + "]";
    }
}
