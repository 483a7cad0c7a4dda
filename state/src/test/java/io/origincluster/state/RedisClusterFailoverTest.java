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

    /**
     * A store whose pub/sub connection is on a node that dies still gets events by pub/sub (its resync is 5 min
     * away): the cluster client reconnects the subscription through another node. The node Lettuce picks is found
     * by counting subscribers; a store that landed on the slot's current master (which has no replica left) is
     * reopened with another seed, so that killing its node leaves the cluster whole.
     */
    private static void eventsSurviveTheDeathOfTheNodeTheyCameThrough(RedisClusterTestServer redis, StateStore b)
            throws Exception {
        int slotMaster = redis.masterOf("oc:{" + CLUSTER + "}:backends");
        for (int seed : redis.subscribersPerNode().keySet()) {
            if (seed == slotMaster) {
                continue;
            }
            Map<Integer, Long> before = redis.subscribersPerNode();
            try (StateStore c = RedisStateStore.connectCluster(List.of("redis://127.0.0.1:" + seed), CLUSTER,
                    new LeastPinnedPolicy(), Duration.ofMinutes(5))) {
                Map<Integer, Long> after = redis.subscribersPerNode();
                int node = after.keySet().stream().filter(p -> after.get(p) > before.getOrDefault(p, 0L))
                        .findFirst().orElseThrow();
                if (node == slotMaster) {
                    continue;
                }
                List<BackendEvent> seenByC = new CopyOnWriteArrayList<>();
                c.onBackendChange(seenByC::add);
                redis.kill(node);
                await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .until(() -> get(b.register(origin("o4"), TTL)) != null);
                await("the event through another node").atMost(15, TimeUnit.SECONDS)
                        .until(() -> seenByC.contains(new BackendEvent(BackendEvent.Type.UPSERTED, "o4")));
                return;
            }
        }
        throw new IllegalStateException("every store subscribed on the slot's master, whatever its seed");
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
                // each client finds the new master by its own topology refresh, a moment apart
                await().atMost(10, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .until(() -> get(a.pin("live/before", Set.of(), TTL)).id().equals(before));
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
                eventsSurviveTheDeathOfTheNodeTheyCameThrough(redis, b);
            }
        }
    }
}
