package io.origincluster.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.origincluster.testkit.RedisServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisStateStoreTest extends StateStoreContract {

    private static final Duration RESYNC = Duration.ofMillis(500);
    private static final AtomicInteger CLUSTERS = new AtomicInteger();

    private static RedisServer redisServer;
    private static RedisClient rawClient;
    private static StatefulRedisConnection<String, String> rawConnection;
    private static RedisCommands<String, String> raw;

    private final List<StateStore> extra = new ArrayList<>();
    private String clusterId;

    @BeforeAll
    static void startRedis() {
        redisServer = RedisServer.start();
        rawClient = RedisClient.create(redisServer.uri());
        rawConnection = rawClient.connect();
        raw = rawConnection.sync();
    }

    @AfterAll
    static void stopRedis() {
        rawConnection.close();
        rawClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        redisServer.close();
    }

    /** Each test gets its own cluster id on the shared server: isolation by the very namespacing under test. */
    @Override
    protected StateStore newStore(PlacementPolicy policy) {
        clusterId = "t" + CLUSTERS.incrementAndGet();
        return RedisStateStore.connect(redisServer.uri(), clusterId, policy, RESYNC);
    }

    private StateStore another(String cluster) {
        StateStore s = RedisStateStore.connect(redisServer.uri(), cluster, new LeastPinnedPolicy(), RESYNC);
        extra.add(s);
        return s;
    }

    @org.junit.jupiter.api.AfterEach
    void closeExtra() {
        extra.forEach(StateStore::close);
    }

    @Test
    void twoInstancesRacingOnNewKeysAgreeOnEveryPin() throws Exception {
        StateStore other = another(clusterId);
        for (String id : List.of("a", "b", "c", "d")) {
            register(id, LONG);
        }
        List<String> streams = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            streams.add("__defaultVhost__/live/race" + i);
        }
        Map<String, Set<String>> seen = new ConcurrentHashMap<>();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
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
                f.get(20, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(seen).hasSize(50);
        assertThat(seen.values()).allSatisfy(ids -> assertThat(ids).hasSize(1));
        Map<String, String> fromFirst = get(store.pins());
        assertThat(fromFirst).hasSize(50).isEqualTo(get(other.pins()));
        seen.forEach((k, ids) -> assertThat(fromFirst).containsEntry(k, ids.iterator().next()));
        for (String k : streams) {
            assertThat(get(other.pinned(k))).map(Backend::id).contains(fromFirst.get(k));
        }
    }

    /**
     * Pub/sub is not durable: a store cut off from Redis misses what is published meanwhile. Its resync here is
     * minutes away, so only the resync that a reconnect starts can bring the backend registered in the gap.
     */
    @Test
    void aBackendRegisteredWhileAStoreWasCutOffReachesItAfterTheReconnect() throws Exception {
        try (io.origincluster.state.testing.CuttableForwarder line =
                     io.origincluster.state.testing.CuttableForwarder.to(redisServer.port())) {
            StateStore cutOff = RedisStateStore.connect("redis://127.0.0.1:" + line.port(), clusterId,
                    new LeastPinnedPolicy(), Duration.ofMinutes(5));
            extra.add(cutOff);
            List<BackendEvent> seen = new CopyOnWriteArrayList<>();
            cutOff.onBackendChange(seen::add);
            register("before", LONG);
            await().atMost(5, TimeUnit.SECONDS)
                    .until(() -> seen.contains(new BackendEvent(BackendEvent.Type.UPSERTED, "before")));

            line.cut();
            register("in-the-gap", LONG);
            Thread.sleep(500); // the store keeps trying to reconnect meanwhile, and is refused
            line.restore();

            await().atMost(10, TimeUnit.SECONDS)
                    .until(() -> seen.contains(new BackendEvent(BackendEvent.Type.UPSERTED, "in-the-gap")));
            assertThat(get(cutOff.liveBackends())).extracting(Backend::id).contains("before", "in-the-gap");
        }
    }

    @Test
    void unreachableRedisFailsConnectWithAClearMessage() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String uri = "redis://:secret-pw@127.0.0.1:" + port + "/0";
        long start = System.nanoTime();
        assertThatThrownBy(() -> RedisStateStore.connect(uri, "c", new LeastPinnedPolicy()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot reach Redis at redis://***@127.0.0.1:" + port)
                .hasMessageContaining("cluster 'c'")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret-pw"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void badClusterIdIsRejected() {
        assertThatThrownBy(() -> RedisStateStore.connect(redisServer.uri(), "a}b", new LeastPinnedPolicy()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cluster id 'a}b'");
    }

    @Test
    void clustersSharingOneRedisDoNotCollide() {
        String otherId = clusterId + "-other";
        StateStore other = another(otherId);
        register("a", LONG);
        get(other.register(origin("a"), LONG));
        get(other.register(origin("z"), LONG));
        assertThat(pin("k")).isEqualTo("a");
        assertThat(get(other.pin("k", Set.of("a"), LONG)).id()).isEqualTo("z");

        assertThat(get(store.deregister("a"))).isTrue();
        assertThat(get(other.backend("a"))).isPresent();
        assertThat(get(other.pins())).containsExactly(Map.entry("k", "z"));
        assertThat(liveIds()).isEmpty();

        assertThat(raw.keys("*")).filteredOn(k -> k.contains("{" + clusterId + "}"))
                .allMatch(k -> k.startsWith("oc:{" + clusterId + "}:"));
        assertThat(raw.keys("oc:{" + otherId + "}:*")).contains("oc:{" + otherId + "}:backend:a",
                "oc:{" + otherId + "}:pin:k", "oc:{" + otherId + "}:pins:z", "oc:{" + otherId + "}:backends");
    }

    @Test
    void twoProxiesGetOneSharedSecretAndItIsKeptUnderTheClusterPrefix() {
        StateStore other = another(clusterId);
        SharedSecret a = get(store.sharedSecret("hls-token", Duration.ofHours(1)));
        SharedSecret b = get(other.sharedSecret("hls-token", Duration.ofHours(1)));
        assertThat(b).isEqualTo(a);
        String key = "oc:{" + clusterId + "}:secret:hls-token";
        assertThat(raw.hgetall(key)).containsOnlyKeys("current", "next", "previous", "rotated")
                .containsEntry("current", java.util.Base64.getEncoder().encodeToString(a.current()));
        assertThat(raw.pttl(key)).isBetween(Duration.ofHours(1).toMillis(), Duration.ofHours(2).toMillis());
        assertThat(get(another("elsewhere").sharedSecret("hls-token", Duration.ofHours(1))).current())
                .as("another cluster id has its own secret").isNotEqualTo(a.current());
    }

    @Test
    void everyKeyOfAClusterGoesAwayWithItsState() {
        register("a", LONG);
        for (int i = 0; i < 20; i++) {
            get(store.pin("k" + i, Set.of(), SHORT));
        }
        get(store.putSession(new SessionRecord(SessionKind.HLS, "h", "k0", "a", null), SHORT));
        assertThat(raw.keys("oc:{" + clusterId + "}:*")).hasSize(2 + 20 + 1 + 1);
        await().atMost(3, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(raw.keys("oc:{" + clusterId + "}:*"))
                        .containsExactlyInAnyOrder("oc:{" + clusterId + "}:backend:a",
                                "oc:{" + clusterId + "}:backends"));
        get(store.deregister("a"));
        assertThat(raw.keys("oc:{" + clusterId + "}:*")).isEmpty();
    }

    @Test
    void staleViewIsRefreshedAndThePinGoesToALiveBackend() {
        register("a", LONG);
        register("b", LONG);
        // "a" vanishes behind the store's back: no event, its cached view still offers it.
        raw.del("oc:{" + clusterId + "}:backend:a");
        raw.zrem("oc:{" + clusterId + "}:backends", "a");
        for (int i = 0; i < 20; i++) {
            assertThat(pin("s" + i)).isEqualTo("b");
        }
    }

    @Test
    void resyncReportsALapsedBackendAsRemoved() {
        List<BackendEvent> events = new CopyOnWriteArrayList<>();
        store.onBackendChange(events::add);
        register("lapsing", SHORT);
        await().atMost(3, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50))
                .until(() -> events.contains(new BackendEvent(BackendEvent.Type.REMOVED, "lapsing")));
        assertThat(events).doesNotContain(new BackendEvent(BackendEvent.Type.RESYNC, null));
    }

    @Test
    void changesMadeByAnotherProxyReachThisOne() {
        StateStore other = another(clusterId);
        List<BackendEvent> events = new CopyOnWriteArrayList<>();
        store.onBackendChange(events::add);
        get(other.register(origin("x"), LONG));
        get(other.deregister("x"));
        await().atMost(1, TimeUnit.SECONDS)
                .until(() -> events.contains(new BackendEvent(BackendEvent.Type.REMOVED, "x")));
        assertThat(events).contains(new BackendEvent(BackendEvent.Type.UPSERTED, "x"));
    }

    @Test
    void heartbeatsThatChangeNothingPublishNothing() throws Exception {
        List<BackendEvent> first = new CopyOnWriteArrayList<>();
        AutoCloseable initial = store.onBackendChange(first::add);
        get(store.register(origin("a").withLabels(Map.of("zone", "z", "ns", "n", "pod", "p", "device_id", "d")),
                LONG));
        await().atMost(1, TimeUnit.SECONDS).until(() -> !first.isEmpty());
        initial.close();
        List<BackendEvent> events = new CopyOnWriteArrayList<>();
        store.onBackendChange(events::add);
        for (int i = 0; i < 5; i++) {
            // a fresh, equal record each time, as a heartbeat decodes it; several labels so map order matters
            get(store.register(origin("a").withLabels(Map.of("device_id", "d", "pod", "p", "ns", "n", "zone", "z")),
                    LONG));
        }
        Thread.sleep(RESYNC.toMillis() + 300);
        assertThat(events).isEmpty();
    }

    @Test
    void scriptsAreResentAfterTheServerForgetsThem() {
        register("a", LONG);
        assertThat(pin("before")).isEqualTo("a");
        assertThat(raw.scriptFlush()).isEqualTo("OK");
        assertThat(pin("after")).isEqualTo("a");
        assertThat(get(store.unpin("after", "a"))).isTrue();
    }

    @Test
    void anUnreadableBackendRecordIsSkippedNotFatal() {
        register("good", LONG);
        register("bad", LONG);
        raw.hset("oc:{" + clusterId + "}:backend:bad", "json", "{not json");
        assertThat(liveIds()).containsExactly("good");
        for (int i = 0; i < 10; i++) {
            assertThat(pin("s" + i)).isEqualTo("good");
        }
    }

    @Test
    void aRecordWithEndpointKindsAndValuesFromANewerProxyStaysRoutableForWhatThisOneKnows() throws Exception {
        register("newer", LONG);
        String key = "oc:{" + clusterId + "}:backend:newer";
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var record = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(raw.hget(key, "json"));
        var endpoints = (com.fasterxml.jackson.databind.node.ObjectNode) record.get("endpoints");
        String known = endpoints.fieldNames().next();
        // written in the same spelling as the kinds this build writes, so only the value is new
        String unknown = known.equals(known.toUpperCase(java.util.Locale.ROOT)) ? "QUIC" : "quic";
        endpoints.set(unknown, endpoints.get(known).deepCopy());
        record.put("source", "FEDERATION");
        record.put("zone", "eu-1");
        raw.hset(key, "json", json.writeValueAsString(record));

        Backend read = get(store.backend("newer")).orElseThrow();
        assertThat(read.endpoints()).isEqualTo(origin("newer").endpoints());
        assertThat(read.source()).as("an unknown source reads as one nothing garbage-collects")
                .isEqualTo(BackendSource.REGISTER);
        StateStore older = another(clusterId); // a proxy starting now loads the record into its view
        await().atMost(5, TimeUnit.SECONDS).untilAsserted(() -> assertThat(get(older.liveBackends()))
                .extracting(Backend::id).containsExactly("newer"));
        assertThat(get(older.pin("s1", Set.of(), LONG)).id()).isEqualTo("newer");
        assertThat(get(older.liveBackends()).get(0).endpoint(Protocol.RTMP)).isPresent();
    }

    @Test
    void malformedEventMessagesAreIgnored() {
        List<BackendEvent> events = new CopyOnWriteArrayList<>();
        store.onBackendChange(events::add);
        String channel = "oc:{" + clusterId + "}:events";
        for (String junk : List.of("", "garbage", "REMOVED", "REMOVED notanumber x", "RESYNC 1 x", "UPSERTED 12")) {
            raw.publish(channel, junk);
        }
        register("a", LONG);
        await().atMost(1, TimeUnit.SECONDS)
                .until(() -> events.contains(new BackendEvent(BackendEvent.Type.UPSERTED, "a")));
        assertThat(events).containsExactly(new BackendEvent(BackendEvent.Type.UPSERTED, "a"));
    }
}
