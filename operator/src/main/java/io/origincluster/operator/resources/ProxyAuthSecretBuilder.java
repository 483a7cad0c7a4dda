package io.origincluster.operator.resources;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.origincluster.operator.crd.OriginCluster;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;

/**
 * The proxies' stream-token secret ({@code PROXY_AUTH_SECRET}). Its own Secret rather than a key of the proxy
 * Secret, so clusters made before it get it too (both are created once and never rotated by reconciliation:
 * rotating it would refuse every token already handed out).
 */
public final class ProxyAuthSecretBuilder {
    public static final String AUTH_SECRET = "auth-secret";
    private static final SecureRandom RANDOM = new SecureRandom();

    private ProxyAuthSecretBuilder() {
    }

    public static Secret desired(OriginCluster cluster) {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return new SecretBuilder()
                .withMetadata(Owned.meta(cluster, Names.proxyAuthSecret(cluster), Labels.Role.PROXY))
                .withType("Opaque")
                .withStringData(Map.of(AUTH_SECRET, HexFormat.of().formatHex(key)))
                .build();
    }
}
