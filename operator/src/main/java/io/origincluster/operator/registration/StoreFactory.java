package io.origincluster.operator.registration;

import io.origincluster.state.PlacementPolicy;
import io.origincluster.state.StateStore;

/** Opens the state store of one cluster; production passes {@code RedisStateStore::connect}. */
@FunctionalInterface
public interface StoreFactory {
    StateStore connect(String redisUri, String clusterId, PlacementPolicy policy);
}
