package io.origincluster.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.origincluster.state.testing.RedisClusterTestServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A real Redis Cluster whose nodes require a password: the seeds' password reaches every node, pub/sub included. */
class RedisClusterAuthTest {

    private static final Duration TTL = Duration.ofSeconds(30);

    @Test
    void thePasswordOfTheSeedsOpensEveryNodeAndAWrongOneFailsWithoutShowingIt() throws Exception {
        try (RedisClusterTestServer redis = RedisClusterTestServer.start(3, 0, "s3cret pw")) {
            List<String> seeds = redis.ports().stream().map(p -> "redis://:s3cret%20pw@127.0.0.1:" + p).toList();
            try (StateStore store = RedisStateStore.connectCluster(seeds.subList(0, 1), "auth",
                         new LeastPinnedPolicy());
                 StateStore other = RedisStateStore.connectCluster(seeds.subList(2, 3), "auth",
                         new LeastPinnedPolicy())) {
                List<BackendEvent> events = new CopyOnWriteArrayList<>();
                other.onBackendChange(events::add);
                store.register(Backend.of("a", "10.1.1.1", Map.of(Protocol.RTMP,
                        List.of(Endpoint.parse("1935", "tcp"))), BackendSource.REGISTER), TTL)
                        .toCompletableFuture().get(5, TimeUnit.SECONDS);
                assertThat(store.pin("k", Set.of(), TTL).toCompletableFuture().get(5, TimeUnit.SECONDS).id())
                        .isEqualTo("a");
                assertThat(other.pinned("k").toCompletableFuture().get(5, TimeUnit.SECONDS)).map(Backend::id)
                        .contains("a");
                await().atMost(2, TimeUnit.SECONDS)
                        .until(() -> events.contains(new BackendEvent(BackendEvent.Type.UPSERTED, "a")));
            }
            String wrong = "redis://:nope-pw@127.0.0.1:" + redis.ports().get(0);
            assertThatThrownBy(() -> RedisStateStore.connectCluster(List.of(wrong), "auth", new LeastPinnedPolicy()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot reach Redis at cluster redis://***@127.0.0.1:" + redis.ports().get(0))
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("nope-pw"));
        }
    }
}
