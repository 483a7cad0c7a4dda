package io.origincluster.dataplane.config;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where cluster state lives. {@code redisUri} is a Lettuce URI ({@code redis://}, {@code rediss://},
 * {@code redis-sentinel://}); it comes from {@code PROXY_REDIS_URL} or is built from the Go proxy's
 * {@code PROXY_REDIS_HOST/PORT/PASSWORD/DB}. {@code clusterNodes}, when not empty, selects a Redis Cluster instead:
 * one Lettuce URI per seed node of {@code PROXY_REDIS_CLUSTER_NODES}, each with {@code PROXY_REDIS_PASSWORD}.
 */
public record StateSettings(Type type, String redisUri, String clusterId, List<String> clusterNodes) {

    public enum Type { MEMORY, REDIS }

    private static final String NODES = "PROXY_REDIS_CLUSTER_NODES";
    /** {@code [redis://|rediss://]host:port} or {@code [v6]:port}. */
    private static final Pattern NODE =
            Pattern.compile("(rediss?://)?(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):(\\d{1,5})");
    private static final int MAX_NODES = 64;

    public StateSettings {
        clusterNodes = List.copyOf(clusterNodes);
    }

    public boolean redisCluster() {
        return !clusterNodes.isEmpty();
    }

    static StateSettings from(Env env) {
        String t = env.string("PROXY_LOAD_BALANCER_TYPE", "memory").trim().toLowerCase(Locale.ROOT);
        Type type = switch (t) {
            case "memory" -> Type.MEMORY;
            case "redis" -> Type.REDIS;
            default -> throw new ConfigException("PROXY_LOAD_BALANCER_TYPE", "'" + t + "' is not memory or redis");
        };
        String url = env.string("PROXY_REDIS_URL", "");
        String nodes = env.string(NODES, "");
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
        List<String> clusterNodes = List.of();
        if (!nodes.isEmpty()) {
            if (type != Type.REDIS) {
                throw new ConfigException(NODES, "needs PROXY_LOAD_BALANCER_TYPE=redis");
            }
            if (!env.string("PROXY_REDIS_URL", "").isEmpty()) {
                throw new ConfigException(NODES, "set either it or PROXY_REDIS_URL, not both");
            }
            if (db != 0) {
                throw new ConfigException("PROXY_REDIS_DB",
                        "must be 0 with " + NODES + " (Redis Cluster has database 0 only)");
            }
            clusterNodes = clusterNodes(nodes, password);
        }
        return new StateSettings(type, url, clusterId, clusterNodes);
    }

    /** One URI per {@code host:port} entry; TLS when the entries say {@code rediss://} (all of them, or none). */
    private static List<String> clusterNodes(String list, String password) {
        String auth = password.isEmpty() ? ""
                : ":" + URLEncoder.encode(password, StandardCharsets.UTF_8).replace("+", "%20") + "@";
        List<String> out = new ArrayList<>();
        String scheme = null;
        for (String raw : list.split(",", -1)) {
            String entry = raw.trim();
            Matcher m = NODE.matcher(entry);
            if (!m.matches()) {
                throw new ConfigException(NODES,
                        "'" + entry + "' is not host:port, [ipv6]:port or redis[s]://host:port");
            }
            int port = Integer.parseInt(m.group(3));
            if (port < 1 || port > 65535) {
                throw new ConfigException(NODES, "port " + port + " of '" + entry + "' is not 1-65535");
            }
            String s = m.group(1) == null ? "redis://" : m.group(1);
            if (scheme != null && !scheme.equals(s)) {
                throw new ConfigException(NODES, "mixes redis:// and rediss:// (TLS): use one for every node");
            }
            scheme = s;
            out.add(s + auth + m.group(2) + ":" + port);
        }
        if (out.size() > MAX_NODES) {
            throw new ConfigException(NODES, out.size() + " nodes, at most " + MAX_NODES + " (a few seeds are enough)");
        }
        return out;
    }

    @Override
    public String toString() {
        return "StateSettings[type=" + type + ", clusterId=" + clusterId + ", clusterNodes=" + clusterNodes.size()
                + "]";
    }
}
