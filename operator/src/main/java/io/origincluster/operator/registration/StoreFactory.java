package io.origincluster.operator.registration;

import io.origincluster.state.PlacementPolicy;
import io.origincluster.state.RedisStateStore;
import io.origincluster.state.StateStore;
import java.util.List;

/** Opens the state store of one cluster; production passes {@code RedisStateStore::connect}. */
@FunctionalInterface
public interface StoreFactory {
    StateStore connect(String redisUri, String clusterId, PlacementPolicy policy);

    /** A Redis Cluster by its seed node URIs ({@code spec.redis.clusterNodes}). */
    default StateStore connectCluster(List<String> nodes, String clusterId, PlacementPolicy policy) {
        return RedisStateStore.connectCluster(nodes, clusterId, policy);
    }
}
