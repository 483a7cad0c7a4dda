package io.origincluster.operator.resources;

import io.origincluster.operator.crd.OriginCluster;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Names of owned objects and the cluster id shared by the operator's store and the proxies. */
public final class Names {
    private static final int MAX_CLUSTER_ID = 63;

    private Names() {
    }

    public static String originDeployment(OriginCluster c) {
        return c.getMetadata().getName() + "-origin";
    }

    public static String originService(OriginCluster c) {
        return c.getMetadata().getName() + "-origin";
    }

    public static String originConfigMap(OriginCluster c) {
        return c.getMetadata().getName() + "-origin-config";
    }

    public static String proxyDeployment(OriginCluster c) {
        return c.getMetadata().getName() + "-proxy";
    }

    public static String proxyService(OriginCluster c) {
        return c.getMetadata().getName() + "-proxy";
    }

    public static String proxySecret(OriginCluster c) {
        return c.getMetadata().getName() + "-proxy";
    }

    public static String proxyAuthSecret(OriginCluster c) {
        return c.getMetadata().getName() + "-proxy-auth";
    }

    public static String redis(OriginCluster c) {
        return c.getMetadata().getName() + "-redis";
    }

    /**
     * {@code <namespace>.<name>}, which the data plane accepts as PROXY_CLUSTER_ID (1-63 of [A-Za-z0-9._-]).
     * Longer ids keep a prefix plus a hash of the whole so two clusters never share an id.
     */
    public static String clusterId(OriginCluster c) {
        String full = c.getMetadata().getNamespace() + "." + c.getMetadata().getName();
        if (full.length() <= MAX_CLUSTER_ID) {
            return full;
        }
        String hash = sha256Hex(full).substring(0, 10);
        return full.substring(0, MAX_CLUSTER_ID - hash.length() - 1) + "-" + hash;
    }

    static String sha256Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
