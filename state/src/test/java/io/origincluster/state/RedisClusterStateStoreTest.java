package io.origincluster.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.origincluster.state.testing.RedisClusterTestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The whole store contract against a real three-master Redis Cluster, plus what only a cluster can break. */
class RedisClusterStateStoreTest extends StateStoreContract {

    private static final Duration RESYNC = Duration.ofMillis(500);
    private static final AtomicInteger CLUSTERS = new AtomicInteger();

    private static RedisClusterTestServer redisCluster;
    private static RedisClusterClient rawClient;
    private static StatefulRedisClusterConnection<String, String> rawConnection;
    private static RedisAdvancedClusterCommands<String, String> raw;

    private final List<StateStore> extra = new ArrayList<>();
    private String clusterId;

    @BeforeAll
    static void startCluster() {
        redisCluster = RedisClusterTestServer.start(3, 0);
        rawClient = RedisClusterClient.create(redisCluster.nodeUris().get(0));
        rawConnection = rawClient.connect();
        raw = rawConnection.sync();
    }

    @AfterAll
    static void stopCluster() {
        rawConnection.close();
        rawClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        redisCluster.close();
    }

    /** Every store is seeded with one node only (a different one each time): the client finds the rest. */
    @Override
    protected StateStore newStore(PlacementPolicy policy) {
        clusterId = "c" + CLUSTERS.incrementAndGet();
        return RedisStateStore.connectCluster(List.of(seed(CLUSTERS.get())), clusterId, policy, RESYNC);
    }

    private static String seed(int n) {
        List<String> uris = redisCluster.nodeUris();
        return uris.get(n % uris.size());
    }

    private StateStore another(String cluster, int seed) {
        StateStore s = RedisStateStore.connectCluster(List.of(seed(seed)), cluster, new LeastPinnedPolicy(), RESYNC);
        extra.add(s);
        return s;
    }

    @AfterEach
    void closeExtra() {
        extra.forEach(StateStore::close);
    }

    @Test
    void everyKeyOfOneClusterIdIsInOneSlotAndIdsSpreadOverMasters() {
        register("a", LONG);
        get(store.pin("k", Set.of(), LONG));
        get(store.putSession(new SessionRecord(SessionKind.HLS, "h", "k", "a", null), LONG));
        get(store.sharedSecret("hls-token", Duration.ofHours(1)));
        List<String> keys = List.of("oc:{" + clusterId + "}:backend:a", "oc:{" + clusterId + "}:backends",
                "oc:{" + clusterId + "}:pin:k", "oc:{" + clusterId + "}:pins:a",
                "oc:{" + clusterId + "}:session:hls:h", "oc:{" + clusterId + "}:secret:hls-token");
        Set<Long> slots = new HashSet<>();
        for (String k : keys) {
            assertThat(raw.exists(k)).as(k).isEqualTo(1L);
            slots.add(raw.clusterKeyslot(k));
        }
        assertThat(slots).hasSize(1);
        // different cluster ids land on different masters, so several clusters share the load of one Redis Cluster
        Set<Integer> masters = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            masters.add(redisCluster.masterOf("oc:{id" + i + "}:backends"));
        }
        assertThat(masters).hasSize(3);
    }

    @Test
    void changesMadeThroughAnotherNodeReachThisStore() {
        StateStore other = another(clusterId, CLUSTERS.get() + 1);
        List<BackendEvent> events = new CopyOnWriteArrayList<>();
        store.onBackendChange(events::add);
        get(other.register(origin("x"), LONG));
        get(other.setDraining("x", true));
        get(other.deregister("x"));
        await().atMost(2, TimeUnit.SECONDS).until(() -> events.containsAll(List.of(
                new BackendEvent(BackendEvent.Type.UPSERTED, "x"), new BackendEvent(BackendEvent.Type.DRAINING, "x"),
                new BackendEvent(BackendEvent.Type.REMOVED, "x"))));
    }

    @Test
    void twoStoresRacingOnNewKeysAgreeOnEveryPin() throws Exception {
        StateStore other = another(clusterId, CLUSTERS.get() + 2);
        for (String id : List.of("a", "b", "c")) {
            register(id, LONG);
        }
        List<String> streams = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            streams.add("__defaultVhost__/live/race" + i);
        }
        Map<String, Set<String>> seen = new ConcurrentHashMap<>();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                StateStore s = t % 2 == 0 ? store : other;
                List<String> order = new ArrayList<>(streams);
                Collections.shuffle(order);
                done.add(pool.submit(() -> {
                    go.await();
                    for (String k : order) {
                        String id = get(s.pin(k, Set.of(), LONG)).id();
                        seen.computeIfAbsent(k, x -> ConcurrentHashMap.newKeySet()).add(id);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(seen.values()).hasSize(30).allSatisfy(ids -> assertThat(ids).hasSize(1));
        assertThat(get(store.pins())).hasSize(30).isEqualTo(get(other.pins()));
    }

    @Test
    void scriptsAreResentWhenTheOwningMasterForgotThem() {
        register("a", LONG);
        assertThat(pin("before")).isEqualTo("a");
        raw.scriptFlush(); // sent to every master by the cluster client
        assertThat(pin("after")).isEqualTo("a");
        assertThat(get(store.unpin("after", "a"))).isTrue();
    }
}
