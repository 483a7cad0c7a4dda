package io.origincluster.operator.resources;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.origincluster.operator.crd.OriginCluster;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;

/** The proxies' generated secrets. Created once and never rotated by reconciliation (live HLS tokens use it). */
public final class ProxySecretBuilder {
    public static final String HLS_TOKEN_KEY = "hls-token-key";
    private static final SecureRandom RANDOM = new SecureRandom();

    private ProxySecretBuilder() {
    }

    public static Secret desired(OriginCluster cluster) {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return new SecretBuilder()
                .withMetadata(Owned.meta(cluster, Names.proxySecret(cluster), Labels.Role.PROXY))
                .withType("Opaque")
                .withStringData(Map.of(HLS_TOKEN_KEY, HexFormat.of().formatHex(key)))
                .build();
    }
}
