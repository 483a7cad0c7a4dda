package io.origincluster.operator.resources;

import io.origincluster.operator.crd.OriginCluster;
import io.origincluster.operator.crd.RedisSpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/** The Redis URL of a cluster, as the operator dials it and as the proxies get it. */
public final class RedisUrls {
    public static final int MANAGED_PORT = 6379;
    /** Kubernetes expands {@code $(VAR)} from variables defined earlier in the same container. */
    static final String PASSWORD_REFERENCE = "$(PROXY_REDIS_PASSWORD)";
    /** The same forms the proxy's PROXY_REDIS_CLUSTER_NODES accepts. */
    private static final Pattern CLUSTER_NODE =
            Pattern.compile("(rediss?://)?(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):\\d{1,5}");

    private RedisUrls() {
    }

    public static String base(OriginCluster cluster) {
        RedisSpec redis = cluster.getSpec().redis;
        if (redis.isManaged()) {
            return "redis://" + Names.redis(cluster) + "." + cluster.getMetadata().getNamespace() + ".svc:"
                    + MANAGED_PORT + "/0";
        }
        if (redis.url == null || redis.url.isBlank()) {
            throw new IllegalArgumentException("spec.redis needs url, clusterNodes or managed: true");
        }
        return redis.url;
    }

    /** For the proxy's {@code PROXY_REDIS_CLUSTER_NODES}: the seeds as written (the proxy adds its password). */
    public static String clusterNodesForProxy(OriginCluster cluster) {
        return String.join(",", cluster.getSpec().redis.clusterNodes);
    }

    /** For the operator's own cluster client: one URI per seed, with the password read from the Secret (or none). */
    public static List<String> clusterNodesForOperator(OriginCluster cluster, String password) {
        return cluster.getSpec().redis.clusterNodes.stream().map(n -> n == null ? "" : n.trim()).map(n -> {
            if (!CLUSTER_NODE.matcher(n).matches()) {
                throw new IllegalArgumentException("spec.redis.clusterNodes: '" + n
                        + "' is not host:port, [ipv6]:port or redis[s]://host:port");
            }
            String uri = n.startsWith("redis://") || n.startsWith("rediss://") ? n : "redis://" + n;
            return password == null ? uri
                    : withPassword(uri, URLEncoder.encode(password, StandardCharsets.UTF_8).replace("+", "%20"));
        }).toList();
    }

    /** For the proxy env: the password stays in its Secret and is referenced, never copied into the Deployment. */
    public static String forProxy(OriginCluster cluster) {
        String url = base(cluster);
        return cluster.getSpec().redis.passwordSecretRef == null ? url : withPassword(url, PASSWORD_REFERENCE);
    }

    /** For the operator's own connection, with the password read from the Secret (null: none). */
    public static String forOperator(OriginCluster cluster, String password) {
        String url = base(cluster);
        return password == null ? url : withPassword(url, URLEncoder.encode(password, StandardCharsets.UTF_8));
    }

    /** Puts an (already URL-safe) password into the authority: {@code scheme://[user]:password@rest}. */
    static String withPassword(String url, String password) {
        int scheme = url.indexOf("://");
        if (scheme < 0) {
            throw new IllegalArgumentException("not a Redis URL: " + url);
        }
        String head = url.substring(0, scheme + 3);
        String rest = url.substring(scheme + 3);
        int slash = firstOf(rest, '/', '?', '#');
        int at = rest.lastIndexOf('@', slash < 0 ? rest.length() - 1 : slash);
        if (at < 0) {
            return head + ":" + password + "@" + rest;
        }
        String user = rest.substring(0, at);
        int colon = user.indexOf(':');
        String userName = colon < 0 ? user : user.substring(0, colon);
        return head + userName + ":" + password + "@" + rest.substring(at + 1);
    }

    private static int firstOf(String s, char... chars) {
        int best = -1;
        for (char c : chars) {
            int i = s.indexOf(c);
            if (i >= 0 && (best < 0 || i < best)) {
                best = i;
            }
        }
        return best;
    }
}
