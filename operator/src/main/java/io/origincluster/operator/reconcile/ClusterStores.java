package io.origincluster.operator.reconcile;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.origincluster.operator.crd.OriginCluster;
import io.origincluster.operator.registration.StoreRegistry;
import io.origincluster.operator.registration.StoreUnavailableException;
import io.origincluster.operator.resources.Names;
import io.origincluster.operator.resources.RedisUrls;
import io.origincluster.state.StateStore;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/** The state store of a cluster: its Redis URL (with the password from the referenced Secret) and cluster id. */
public final class ClusterStores {
    /** The spec or its Secret cannot give a usable Redis URL. */
    public static final class RedisConfigException extends RuntimeException {
        RedisConfigException(String message) {
            super(message);
        }
    }

    private final StoreRegistry registry;

    public ClusterStores(StoreRegistry registry) {
        this.registry = registry;
    }

    public StateStore open(OriginCluster cluster, KubernetesClient client) {
        String uri = null;
        List<String> nodes = null;
        try {
            if (cluster.getSpec().redis.isCluster()) {
                nodes = RedisUrls.clusterNodesForOperator(cluster, password(cluster, client));
            } else {
                uri = RedisUrls.forOperator(cluster, password(cluster, client));
            }
        } catch (IllegalArgumentException e) {
            throw new RedisConfigException(e.getMessage());
        }
        String id = Names.clusterId(cluster);
        String policy = cluster.getSpec().placement.policy.value();
        try {
            return nodes != null ? registry.openCluster(id, nodes, policy) : registry.open(id, uri, policy);
        } catch (RuntimeException e) {
            throw new StoreUnavailableException("cannot connect to Redis: " + e.getMessage(), e);
        }
    }

    public void close(OriginCluster cluster) {
        registry.closeStore(Names.clusterId(cluster));
    }

    private static String password(OriginCluster cluster, KubernetesClient client) {
        SecretKeySelector ref = cluster.getSpec().redis.passwordSecretRef;
        if (ref == null) {
            return null;
        }
        Secret secret = client.secrets().inNamespace(cluster.getMetadata().getNamespace()).withName(ref.getName()).get();
        if (secret != null && secret.getData() != null && secret.getData().containsKey(ref.getKey())) {
            return new String(Base64.getDecoder().decode(secret.getData().get(ref.getKey())), StandardCharsets.UTF_8);
        }
        if (secret != null && secret.getStringData() != null && secret.getStringData().containsKey(ref.getKey())) {
            return secret.getStringData().get(ref.getKey());
        }
        throw new RedisConfigException("Secret " + ref.getName() + " has no key " + ref.getKey());
    }
}
