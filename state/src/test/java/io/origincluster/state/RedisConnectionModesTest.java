package io.origincluster.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.origincluster.state.testing.RedisSentinelTestServer;
import io.origincluster.state.testing.RedisTlsTestServer;
import io.origincluster.testkit.RedisServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The URI forms besides plain redis://: TLS and Sentinel, each against a real redis-server process. */
class RedisConnectionModesTest {

    private static final Duration TTL = Duration.ofSeconds(30);

    private static Backend origin(String id) {
        return Backend.of(id, "10.1.1.1", Map.of(Protocol.RTMP, List.of(Endpoint.parse("1935", "tcp"))),
                BackendSource.REGISTER);
    }

    /** Register, pin, change event and unpin: proves commands, scripts and pub/sub all work over the transport. */
    private static void exercise(StateStore store) {
        List<BackendEvent> events = new CopyOnWriteArrayList<>();
        store.onBackendChange(events::add);
        store.register(origin("a"), TTL).toCompletableFuture().join();
        assertThat(store.pin("k", Set.of(), TTL).toCompletableFuture().join().id()).isEqualTo("a");
        await().atMost(1, TimeUnit.SECONDS)
                .until(() -> events.contains(new BackendEvent(BackendEvent.Type.UPSERTED, "a")));
        assertThat(store.unpin("k", "a").toCompletableFuture().join()).isTrue();
    }

    @Test
    void sentinelUriFindsTheMasterAndWorks() {
        try (RedisServer master = RedisServer.start();
             RedisSentinelTestServer sentinel = RedisSentinelTestServer.start(master);
             StateStore store = RedisStateStore.connect(sentinel.uri(), "sentinel", new LeastPinnedPolicy())) {
            exercise(store);
            RedisClient direct = RedisClient.create(master.uri());
            try (StatefulRedisConnection<String, String> c = direct.connect()) {
                assertThat(c.sync().exists("oc:{sentinel}:backend:a")).isEqualTo(1L);
            } finally {
                direct.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
    }

    @Test
    void tlsUriWorksAndPlainTextToATlsPortFailsClearly() {
        try (RedisTlsTestServer tls = RedisTlsTestServer.start()) {
            try (StateStore store = RedisStateStore.connect(tls.uri(), "tls", new LeastPinnedPolicy())) {
                exercise(store);
            }
            assertThatThrownBy(() -> RedisStateStore.connect("redis://127.0.0.1:" + tls.port(), "tls",
                    new LeastPinnedPolicy()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot reach Redis at redis://127.0.0.1:" + tls.port());
        }
    }

    @Test
    void survivesARedisRestart() {
        RedisServer first = RedisServer.start();
        int port = first.port();
        RedisServer second = null;
        try (RedisStateStore store = RedisStateStore.connect(first.uri(), "restart", new LeastPinnedPolicy(),
                Duration.ofMillis(500))) {
            List<BackendEvent> events = new CopyOnWriteArrayList<>();
            store.onBackendChange(events::add);
            store.register(origin("a"), TTL).toCompletableFuture().join();
            assertThat(store.pin("k", Set.of(), TTL).toCompletableFuture().join().id()).isEqualTo("a");

            first.close();
            second = RedisServer.start(port);
            // The new server is empty: its scripts are unknown and the pub/sub subscription must be renewed.
            await().atMost(5, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> store.register(origin("b"), TTL).toCompletableFuture().get(1, TimeUnit.SECONDS)
                            != null);
            assertThat(store.pin("k2", Set.of(), TTL).toCompletableFuture().join().id()).isEqualTo("b");
            await().atMost(2, TimeUnit.SECONDS).until(() -> events.containsAll(List.of(
                    new BackendEvent(BackendEvent.Type.REMOVED, "a"), new BackendEvent(BackendEvent.Type.UPSERTED, "b"))));
            store.deregister("b").toCompletableFuture().join();
            await().atMost(1, TimeUnit.SECONDS).until(() -> events.stream()
                    .filter(e -> e.equals(new BackendEvent(BackendEvent.Type.REMOVED, "b"))).count() == 1);
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }

    @Test
    void closeReleasesEveryConnectionAndThread() throws IOException {
        try (RedisServer server = RedisServer.start()) {
            StateStore store = RedisStateStore.connect(server.uri(), "closing", new LeastPinnedPolicy());
            store.register(origin("a"), TTL).toCompletableFuture().join();
            assertThat(clientsOf(server)).isEqualTo(2);
            assertThat(storeThreads()).isNotEmpty();
            store.close();
            store.close();
            await().atMost(3, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50))
                    .untilAsserted(() -> assertThat(storeThreads()).isEmpty());
            await().atMost(3, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50))
                    .until(() -> clientsOf(server) == 0);
        }
    }

    /** Connected clients other than the one asking, over a plain socket so no Lettuce threads of its own appear. */
    private static long clientsOf(RedisServer server) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(2000);
            socket.getOutputStream().write("CLIENT LIST\r\n".getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String header = in.readLine();
            assertThat(header).startsWith("$");
            char[] body = new char[Integer.parseInt(header.substring(1))];
            int read = 0;
            while (read < body.length) {
                int n = in.read(body, read, body.length - read);
                if (n < 0) {
                    throw new IOException("short CLIENT LIST reply");
                }
                read += n;
            }
            return new String(body).lines().filter(l -> !l.isBlank()).count() - 1;
        }
    }

    private static List<String> storeThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("lettuce-") || n.startsWith("redis-state-closing")).toList();
    }
}
