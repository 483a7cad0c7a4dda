package io.origincluster.state.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * A real Redis server on a free loopback port: the system {@code redis-server} when installed (Debian's 7.x),
 * otherwise the 6.2 binary that the embedded-redis jar ships. Never persisted, killed on close.
 */
public final class RedisTestServer implements AutoCloseable {

    private final int port;
    private final RedisProcess process;
    private final redis.embedded.RedisServer embedded;

    private RedisTestServer(int port, RedisProcess process, redis.embedded.RedisServer embedded) {
        this.port = port;
        this.process = process;
        this.embedded = embedded;
    }

    public static RedisTestServer start() {
        return start(RedisProcess.freePort());
    }

    /** A fresh, empty server on {@code port}: lets a test restart Redis where its clients expect it. */
    public static RedisTestServer start(int port) {
        if (RedisProcess.hasBinary()) {
            RedisProcess p = RedisProcess.start("redis", port, List.of("--bind", "127.0.0.1",
                    "--port", Integer.toString(port), "--save", "", "--appendonly", "no", "--protected-mode", "no"));
            return new RedisTestServer(port, p, null);
        }
        try {
            redis.embedded.RedisServer e = redis.embedded.RedisServer.newRedisServer().port(port)
                    .setting("bind 127.0.0.1").setting("save \"\"").setting("appendonly no").build();
            e.start();
            RedisTestServer s = new RedisTestServer(port, null, e);
            s.awaitEmbeddedUp();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded redis", e);
        }
    }

    /** A replica of {@code master} on a free port (the system redis-server only), for Sentinel failovers. */
    public static RedisTestServer startReplicaOf(RedisTestServer master) {
        int port = RedisProcess.freePort();
        RedisProcess p = RedisProcess.start("redis-replica", port, List.of("--bind", "127.0.0.1",
                "--port", Integer.toString(port), "--save", "", "--appendonly", "no", "--protected-mode", "no",
                "--replicaof", "127.0.0.1", Integer.toString(master.port()),
                // load the master's snapshot from the socket: by default a replica writes it to dump.rdb in the
                // working directory (the module's source tree)
                "--repl-diskless-load", "on-empty-db"));
        return new RedisTestServer(port, p, null);
    }

    /** Waits until {@code replicas} replicas are attached and have everything this master has written. */
    public void awaitReplicated(int replicas) {
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create();
        try (var c = client.connect(io.lettuce.core.RedisURI.Builder.redis("127.0.0.1", port)
                .withTimeout(java.time.Duration.ofSeconds(2)).build())) {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                String info = c.sync().info("replication");
                String offset = info.lines().filter(l -> l.startsWith("master_repl_offset:"))
                        .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("?");
                if (info.contains("connected_slaves:" + replicas) && info.lines().filter(l -> l.startsWith("slave"))
                        .allMatch(l -> l.contains("offset=" + offset + ","))) {
                    return;
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            client.shutdown(java.time.Duration.ZERO, java.time.Duration.ofSeconds(1));
        }
        throw new IllegalStateException("replicas of " + port + " did not catch up in 10 s");
    }

    private void awaitEmbeddedUp() {
        if (!RedisProcess.awaitPort(port, () -> true)) {
            close();
            throw new IllegalStateException("embedded redis did not start on port " + port);
        }
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:PORT/0}. */
    public String uri() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
        if (embedded != null) {
            try {
                embedded.stop();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
