package io.origincluster.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.origincluster.state.testing.RedisClusterTestServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A real three-master Redis Cluster with one replica per master: the master that holds the cluster's slot is
 * SIGKILLed, its replica is promoted, and both stores (each seeded with a different node) keep placing streams,
 * keep the pins made before, and keep receiving each other's change events, without a restart.
 */
class RedisClusterFailoverTest {

    private static final Duration TTL = Duration.ofSeconds(60);
    private static final String CLUSTER = "failover";

    private static Backend origin(String id) {
        return Backend.of(id, "10.2.2.2", Map.of(Protocol.RTMP, List.of(Endpoint.parse("1935", "tcp"))),
                BackendSource.REGISTER);
    }

    private static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aKilledMasterIsReplacedByItsReplicaAndTheStoresKeepWorking() throws Exception {
        try (RedisClusterTestServer redis = RedisClusterTestServer.start(3, 1)) {
            int master = redis.masterOf("oc:{" + CLUSTER + "}:backends");
            List<String> others = redis.ports().stream().filter(p -> p != master)
                    .map(p -> "redis://127.0.0.1:" + p).toList();
            try (StateStore a = RedisStateStore.connectCluster(List.of(others.get(0)), CLUSTER,
                         new LeastPinnedPolicy(), Duration.ofMillis(500));
                 StateStore b = RedisStateStore.connectCluster(List.of(others.get(others.size() - 1)), CLUSTER,
                         new LeastPinnedPolicy(), Duration.ofMillis(500))) {
                get(a.register(origin("o1"), TTL));
                get(a.register(origin("o2"), TTL));
                String before = get(a.pin("live/before", Set.of(), TTL)).id();
                redis.awaitReplicated(master);

                redis.kill(master);
                long killed = System.nanoTime();
                // placement recovers once the replica is promoted (node timeout 2 s) and the clients see it
                await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .until(() -> get(b.pin("live/after", Set.of(), TTL)) != null);
                Duration recovery = Duration.ofNanos(System.nanoTime() - killed);
                assertThat(redis.masterOf("oc:{" + CLUSTER + "}:backends")).isNotEqualTo(master);

                assertThat(get(b.pinned("live/before"))).map(Backend::id).contains(before);
                assertThat(get(a.pin("live/before", Set.of(), TTL)).id()).isEqualTo(before);
                await().atMost(10, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .until(() -> get(a.pinned("live/after")).isPresent());

                List<BackendEvent> seenByA = new CopyOnWriteArrayList<>();
                a.onBackendChange(seenByA::add);
                await().atMost(10, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .until(() -> get(b.register(origin("o3"), TTL)) != null);
                await().atMost(5, TimeUnit.SECONDS)
                        .until(() -> seenByA.contains(new BackendEvent(BackendEvent.Type.UPSERTED, "o3")));
                assertThat(get(a.liveBackends())).extracting(Backend::id).containsExactlyInAnyOrder("o1", "o2", "o3");
                System.out.println("cluster failover: placement back " + recovery.toMillis() + " ms after the kill");
            }
        }
    }
}
