package io.origincluster.operator.registration;

import static org.assertj.core.api.Assertions.assertThat;

import io.origincluster.state.MemoryStateStore;
import io.origincluster.state.PlacementPolicy;
import io.origincluster.state.StateStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A cluster's store is opened by URL or by Redis Cluster nodes, kept while they stay the same, reopened otherwise. */
class StoreRegistryTest {

    private final List<String> opened = new ArrayList<>();

    private final StoreFactory factory = new StoreFactory() {
        @Override
        public StateStore connect(String redisUri, String clusterId, PlacementPolicy policy) {
            opened.add("url " + redisUri);
            return new MemoryStateStore(policy);
        }

        @Override
        public StateStore connectCluster(List<String> nodes, String clusterId, PlacementPolicy policy) {
            opened.add("cluster " + nodes);
            return new MemoryStateStore(policy);
        }
    };

    @Test
    void switchingBetweenUrlAndClusterNodesReopensAndTheSameTargetIsKept() {
        try (StoreRegistry registry = new StoreRegistry(factory)) {
            StateStore byUrl = registry.open("ns.c", "redis://r:6379/0", "least-pinned");
            assertThat(registry.open("ns.c", "redis://r:6379/0", "least-pinned")).isSameAs(byUrl);
            List<String> nodes = List.of("redis://10.0.0.1:6379", "redis://10.0.0.2:6379");
            StateStore byNodes = registry.openCluster("ns.c", nodes, "least-pinned");
            assertThat(byNodes).isNotSameAs(byUrl);
            assertThat(registry.openCluster("ns.c", List.copyOf(nodes), "least-pinned")).isSameAs(byNodes);
            assertThat(registry.openCluster("ns.c", nodes.subList(0, 1), "least-pinned")).isNotSameAs(byNodes);
            assertThat(registry.current("ns.c")).isPresent();
        }
        assertThat(opened).containsExactly("url redis://r:6379/0",
                "cluster [redis://10.0.0.1:6379, redis://10.0.0.2:6379]", "cluster [redis://10.0.0.1:6379]");
    }
}
