package io.origincluster.dataplane.config;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Where cluster state lives. {@code redisUri} is a Lettuce URI ({@code redis://}, {@code rediss://},
 * {@code redis-sentinel://}); it comes from {@code PROXY_REDIS_URL} or is built from the Go proxy's
 * {@code PROXY_REDIS_HOST/PORT/PASSWORD/DB}.
 */
public record StateSettings(Type type, String redisUri, String clusterId) {

    public enum Type { MEMORY, REDIS }

    static StateSettings from(Env env) {
        String t = env.string("PROXY_LOAD_BALANCER_TYPE", "memory").trim().toLowerCase(Locale.ROOT);
        Type type = switch (t) {
            case "memory" -> Type.MEMORY;
            case "redis" -> Type.REDIS;
            default -> throw new ConfigException("PROXY_LOAD_BALANCER_TYPE", "'" + t + "' is not memory or redis");
        };
        String url = env.string("PROXY_REDIS_URL", "");
        String host = env.string("PROXY_REDIS_HOST", "127.0.0.1");
        int port = env.integer("PROXY_REDIS_PORT", 6379, 1, 65535);
        String password = env.secret("PROXY_REDIS_PASSWORD");
        int db = env.integer("PROXY_REDIS_DB", 0, 0, 1_000_000);
        if (url.isEmpty()) {
            String auth = password.isEmpty() ? "" : ":" + URLEncoder.encode(password, StandardCharsets.UTF_8) + "@";
            url = "redis://" + auth + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + db;
        } else if (!url.startsWith("redis://") && !url.startsWith("rediss://")
                && !url.startsWith("redis-sentinel://")) {
            throw new ConfigException("PROXY_REDIS_URL", "must start with redis://, rediss:// or redis-sentinel://");
        }
        String clusterId = env.string("PROXY_CLUSTER_ID", "default");
        if (!clusterId.matches("[A-Za-z0-9._-]{1,63}")) {
            throw new ConfigException("PROXY_CLUSTER_ID", "'" + clusterId + "' must be 1-63 of [A-Za-z0-9._-]");
        }
        return new StateSettings(type, url, clusterId);
    }

    @Override
    public String toString() {
        return "StateSettings[type=" + type + ", clusterId=" + clusterId + "]";
    }
}
