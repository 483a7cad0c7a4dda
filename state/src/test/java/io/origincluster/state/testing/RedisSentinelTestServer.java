package io.origincluster.state.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import io.origincluster.testkit.Ports;
import io.origincluster.testkit.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A real Redis Sentinel ({@code redis-server --sentinel}) on loopback watching a {@link RedisServer} as master
 * {@value #MASTER}, quorum 1. A master silent for 1 s is down, so a failover to a replica takes a few seconds.
 * Sentinel rewrites its config file, so it gets a private temporary one.
 */
public final class RedisSentinelTestServer implements AutoCloseable {

    public static final String MASTER = "mymaster";

    private final RedisServer server;
    private final Path dir;

    private RedisSentinelTestServer(RedisServer server, Path dir) {
        this.server = server;
        this.dir = dir;
    }

    public static RedisSentinelTestServer start(RedisServer master) {
        int port = Ports.freeTcp();
        try {
            Path dir = Files.createTempDirectory("sentinel");
            Path conf = dir.resolve("sentinel.conf");
            Files.writeString(conf, "port " + port + "\nbind 127.0.0.1\ndir " + dir + "\n"
                    + "sentinel monitor " + MASTER + " 127.0.0.1 " + master.port() + " 1\n"
                    + "sentinel down-after-milliseconds " + MASTER + " 1000\n"
                    + "sentinel failover-timeout " + MASTER + " 5000\n");
            return new RedisSentinelTestServer(
                    RedisServer.startWith("sentinel", port, List.of(conf.toString(), "--sentinel")), dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The port of the master Sentinel names now (it changes after a failover). */
    public int masterPort() {
        return sentinel(c -> ((java.net.InetSocketAddress) c.sync().getMasterAddrByName(MASTER)).getPort());
    }

    /** Waits (Sentinel reads its master's INFO every 10 s) until Sentinel knows {@code n} healthy replicas. */
    public void awaitReplicas(int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            long known = sentinel(c -> c.sync().replicas(MASTER).stream()
                    .filter(r -> !r.getOrDefault("flags", "").contains("down")).count());
            if (known >= n) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("Sentinel did not see " + n + " replicas in 30 s");
    }

    private <T> T sentinel(Function<StatefulRedisSentinelConnection<String, String>, T> f) {
        RedisClient client = RedisClient.create();
        try (StatefulRedisSentinelConnection<String, String> c = client.connectSentinel(
                RedisURI.Builder.redis("127.0.0.1", server.port()).withTimeout(Duration.ofSeconds(2)).build())) {
            return f.apply(c);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    /** {@code redis-sentinel://127.0.0.1:PORT/0#mymaster}. */
    public String uri() {
        return "redis-sentinel://127.0.0.1:" + server.port() + "/0#" + MASTER;
    }

    @Override
    public void close() {
        server.close();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
