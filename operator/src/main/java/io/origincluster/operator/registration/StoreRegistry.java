package io.origincluster.operator.registration;

import io.origincluster.state.PlacementPolicy;
import io.origincluster.state.StateStore;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One open state store per cluster id, reopened when the cluster's Redis URL or placement policy changes. */
public final class StoreRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StoreRegistry.class);

    private record Entry(String uri, String policy, StateStore store) { }

    private final StoreFactory factory;
    private final Map<String, Entry> stores = new ConcurrentHashMap<>();

    public StoreRegistry(StoreFactory factory) {
        this.factory = factory;
    }

    public StateStore open(String clusterId, String redisUri, String policy) {
        return open(clusterId, redisUri, policy,
                () -> factory.connect(redisUri, clusterId, PlacementPolicy.named(policy)));
    }

    /** As {@link #open} for a Redis Cluster given by its seed node URIs. */
    public StateStore openCluster(String clusterId, List<String> nodes, String policy) {
        return open(clusterId, "cluster " + String.join(",", nodes), policy,
                () -> factory.connectCluster(nodes, clusterId, PlacementPolicy.named(policy)));
    }

    private StateStore open(String clusterId, String target, String policy, Supplier<StateStore> connect) {
        return stores.compute(clusterId, (id, old) -> {
            if (old != null && old.uri.equals(target) && Objects.equals(old.policy, policy)) {
                return old;
            }
            if (old != null) {
                log.atInfo().addKeyValue("cluster", id).log("Redis URL or placement changed: reopening state store");
                old.store.close();
            }
            return new Entry(target, policy, connect.get());
        }).store;
    }

    public Optional<StateStore> current(String clusterId) {
        return Optional.ofNullable(stores.get(clusterId)).map(Entry::store);
    }

    public void closeStore(String clusterId) {
        Entry e = stores.remove(clusterId);
        if (e != null) {
            e.store.close();
        }
    }

    @Override
    public void close() {
        stores.keySet().forEach(this::closeStore);
    }
}
