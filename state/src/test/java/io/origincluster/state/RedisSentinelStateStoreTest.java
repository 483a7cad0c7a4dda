package io.origincluster.state;

import io.origincluster.state.testing.RedisSentinelTestServer;
import io.origincluster.testkit.RedisServer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The whole store contract through a real Redis Sentinel ({@code redis-sentinel://} URI) to its master. */
class RedisSentinelStateStoreTest extends StateStoreContract {

    private static final AtomicInteger CLUSTERS = new AtomicInteger();

    private static RedisServer master;
    private static RedisSentinelTestServer sentinel;

    @BeforeAll
    static void startSentinel() {
        master = RedisServer.start();
        sentinel = RedisSentinelTestServer.start(master);
    }

    @AfterAll
    static void stopSentinel() {
        sentinel.close();
        master.close();
    }

    @Override
    protected StateStore newStore(PlacementPolicy policy) {
        return RedisStateStore.connect(sentinel.uri(), "s" + CLUSTERS.incrementAndGet(), policy,
                Duration.ofMillis(500));
    }
}
