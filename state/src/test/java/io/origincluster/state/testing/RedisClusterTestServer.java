package io.origincluster.state.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.origincluster.testkit.Ports;
import io.origincluster.testkit.Proc;
import io.origincluster.testkit.RedisServer;
import io.origincluster.testkit.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A real Redis Cluster on loopback: {@code masters} redis-server processes started with
 * {@code --cluster-enabled yes} (plus {@code replicas} replicas per master), joined by
 * {@code redis-cli --cluster create}. Node timeout 2 s, so a killed master's replica is promoted within seconds.
 * Needs the Debian {@code redis-server} and {@code redis-tools} binaries; a missing one fails the test.
 */
public final class RedisClusterTestServer implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Map<Integer, RedisServer> nodes = new LinkedHashMap<>();
    private final Path dir;
    private final int replicas;
    /** For the test's own admin commands (CLUSTER INFO, INFO replication), one short connection each. */
    private final RedisClient admin = RedisClient.create();

    /** Every node's {@code requirepass} (and {@code masterauth}), or null. */
    private final String password;

    private RedisClusterTestServer(Path dir, int replicas, String password) {
        this.dir = dir;
        this.replicas = replicas;
        this.password = password;
    }

    public static RedisClusterTestServer start(int masters, int replicas) {
        return start(masters, replicas, null);
    }

    /** As {@link #start(int, int)} with every node requiring {@code password} (null: none). */
    public static RedisClusterTestServer start(int masters, int replicas, String password) {
        String cli = redisCli();
        Path dir;
        try {
            dir = Files.createTempDirectory("redis-cluster");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RedisClusterTestServer cluster = new RedisClusterTestServer(dir, replicas, password);
        try {
            for (int i = 0; i < masters * (1 + replicas); i++) {
                int port = Ports.freeTcp();
                List<String> args = new ArrayList<>(List.of(
                        "--bind", "127.0.0.1", "--port", Integer.toString(port), "--protected-mode", "no",
                        "--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf",
                        "--cluster-node-timeout", "2000", "--dir", dir.toString(),
                        "--save", "", "--appendonly", "no"));
                if (password != null) {
                    args.addAll(List.of("--requirepass", password, "--masterauth", password));
                }
                cluster.nodes.put(port, RedisServer.startWith("redis-cluster", port, args));
            }
            List<String> cmd = new ArrayList<>(List.of(cli, "--cluster", "create"));
            cluster.nodes.keySet().forEach(p -> cmd.add("127.0.0.1:" + p));
            cmd.addAll(List.of("--cluster-replicas", Integer.toString(replicas), "--cluster-yes"));
            if (password != null) {
                cmd.addAll(List.of("-a", password, "--no-auth-warning"));
            }
            run(cmd);
            cluster.awaitReady(masters);
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private static String redisCli() {
        // the Redis Cluster tests need it to join the nodes
        Tools.require("redis-cli");
        return Tools.which("redis-cli");
    }

    private static void run(List<String> cmd) {
        try (Proc p = Proc.start("redis-cluster-create", cmd)) {
            int rc = p.waitFor(60);
            if (rc == -1) {
                throw new IllegalStateException("redis-cli --cluster create did not finish in 60 s: " + p.output());
            }
            if (rc != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed: " + p.output());
            }
        }
    }

    /** Every node sees the cluster as ok, and every master has its replicas attached. */
    private void awaitReady(int masters) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                boolean ok = true;
                int withReplicas = 0;
                for (int port : nodes.keySet()) {
                    String info = command(port, c -> c.sync().clusterInfo());
                    ok &= info.contains("cluster_state:ok");
                    String repl = command(port, c -> c.sync().info("replication"));
                    if (repl.contains("role:master") && repl.contains("connected_slaves:" + replicas)) {
                        withReplicas++;
                    }
                    last = info.lines().filter(l -> l.startsWith("cluster_state")).findFirst().orElse(info);
                }
                if (ok && withReplicas == masters) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e.toString();
            }
            sleep(100);
        }
        throw new IllegalStateException("Redis Cluster not ready in " + READY_TIMEOUT.toSeconds() + " s: " + last);
    }

    /** {@code redis://127.0.0.1:PORT} of every node, masters and replicas. */
    public List<String> nodeUris() {
        return nodes.keySet().stream().map(p -> "redis://127.0.0.1:" + p).toList();
    }

    public List<Integer> ports() {
        return List.copyOf(nodes.keySet());
    }

    /** Subscribed clients per node that is still running. */
    public Map<Integer, Long> subscribersPerNode() {
        Map<Integer, Long> out = new LinkedHashMap<>();
        nodes.forEach((port, p) -> {
            if (p.isAlive()) {
                out.put(port, subscribers(port));
            }
        });
        return out;
    }

    /** The port of the master that serves {@code key}'s slot now, as the nodes' own view says. */
    public int masterOf(String key) {
        for (int port : nodes.keySet()) {
            if (!nodes.get(port).isAlive()) {
                continue;
            }
            return command(port, c -> {
                long slot = c.sync().clusterKeyslot(key);
                for (String line : c.sync().clusterNodes().split("\n")) {
                    String[] f = line.trim().split(" ");
                    if (f.length < 9 || !f[2].contains("master") || f[2].contains("fail")) {
                        continue;
                    }
                    for (int i = 8; i < f.length; i++) {
                        if (f[i].startsWith("[")) {
                            continue; // a slot being migrated
                        }
                        String[] range = f[i].split("-");
                        long from = Long.parseLong(range[0]);
                        long to = range.length > 1 ? Long.parseLong(range[1]) : from;
                        if (slot >= from && slot <= to) {
                            String addr = f[1].substring(0, f[1].indexOf('@'));
                            return Integer.parseInt(addr.substring(addr.lastIndexOf(':') + 1));
                        }
                    }
                }
                throw new IllegalStateException("no master serves slot " + slot);
            });
        }
        throw new IllegalStateException("no node is alive");
    }

    /** Waits until every replica of {@code masterPort} has all the master has written (offsets equal). */
    public void awaitReplicated(int masterPort) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String info = command(masterPort, c -> c.sync().info("replication"));
            long offset = field(info, "master_repl_offset");
            boolean all = info.lines().filter(l -> l.startsWith("slave"))
                    .allMatch(l -> l.contains("offset=" + offset + ","));
            if (all && info.contains("connected_slaves:" + replicas)) {
                return;
            }
            sleep(50);
        }
        throw new IllegalStateException("replicas of " + masterPort + " did not catch up in 10 s");
    }

    /** How many clients of this node are subscribed to a channel. */
    public long subscribers(int port) {
        return command(port, c -> c.sync().clientList().lines().filter(l -> !l.contains(" sub=0 ")).count());
    }

    /** SIGKILLs one node. */
    public void kill(int port) {
        nodes.get(port).kill();
    }

    private static long field(String info, String name) {
        return info.lines().filter(l -> l.startsWith(name + ":"))
                .map(l -> Long.parseLong(l.substring(name.length() + 1).trim())).findFirst().orElse(-1L);
    }

    private <T> T command(int port, Function<StatefulRedisConnection<String, String>, T> f) {
        RedisURI.Builder uri = RedisURI.Builder.redis("127.0.0.1", port).withTimeout(Duration.ofSeconds(2));
        if (password != null) {
            uri.withPassword(password.toCharArray());
        }
        try (StatefulRedisConnection<String, String> c = admin.connect(uri.build())) {
            return f.apply(c);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        admin.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        nodes.values().forEach(RedisServer::close);
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
