package io.origincluster.testkit;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} on a loopback port, never persisted; plain by default, or in any mode its arguments
 * ask for (TLS, Sentinel, a cluster node). Close is a SIGKILL: a test's Redis outage is abrupt, as a lost node is,
 * and there is nothing to save. Talks just enough RESP itself (INFO, SET) that it needs no Redis client.
 */
public final class RedisServer implements AutoCloseable {

    private static final int START_SECONDS = 10;

    private final Proc proc;
    private final int port;

    private RedisServer(Proc proc, int port) {
        this.proc = proc;
        this.port = port;
    }

    /** A fresh, empty server on a free port, logging under {@code target/peer-logs}. */
    public static RedisServer start() {
        return start(Ports.freeTcp());
    }

    /** A fresh, empty server on {@code port}: lets a test restart Redis where its clients expect it. */
    public static RedisServer start(int port) {
        return startWith("redis", port, plain(port));
    }

    /** The bench's server: its files in {@code workDir}, its output in {@code <workDir>/logs/redis-server.log}. */
    public static RedisServer start(Path workDir) {
        int port = Ports.freeTcp();
        List<String> args = new ArrayList<>(plain(port));
        args.addAll(List.of("--dir", workDir.toAbsolutePath().toString()));
        return launch(Proc.start("redis-server", command(args), Map.of(), workDir, workDir.resolve("logs")), port);
    }

    /** A replica of {@code master} on a free port (for Sentinel failovers). */
    public static RedisServer startReplicaOf(RedisServer master) {
        int port = Ports.freeTcp();
        List<String> args = new ArrayList<>(plain(port));
        args.addAll(List.of("--replicaof", "127.0.0.1", Integer.toString(master.port()),
                // load the master's snapshot from the socket: by default a replica writes it to dump.rdb in the
                // working directory (the module's source tree)
                "--repl-diskless-load", "on-empty-db"));
        return startWith("redis-replica", port, args);
    }

    /**
     * redis-server with exactly {@code args} (a config file, {@code --sentinel}, {@code --tls-port} ...), returned
     * once something accepts TCP on {@code port}, which the arguments must make it listen on.
     */
    public static RedisServer startWith(String name, int port, List<String> args) {
        return launch(Proc.start(name, command(args)), port);
    }

    private static List<String> plain(int port) {
        return List.of("--bind", "127.0.0.1", "--port", Integer.toString(port), "--save", "", "--appendonly", "no",
                "--protected-mode", "no");
    }

    private static List<String> command(List<String> args) {
        Tools.require("redis-server");
        List<String> cmd = new ArrayList<>();
        cmd.add(Tools.which("redis-server"));
        cmd.addAll(args);
        return cmd;
    }

    private static RedisServer launch(Proc proc, int port) {
        proc.awaitTcp(port, START_SECONDS);
        return new RedisServer(proc, port);
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:PORT/0}. */
    public String uri() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    public long pid() {
        return proc.pid();
    }

    public boolean isAlive() {
        return proc.isAlive();
    }

    public Path log() {
        return proc.log();
    }

    /** {@code INFO <section>} as Redis returns it. */
    public String info(String section) {
        return command("INFO", section);
    }

    /** Calls per command since start ({@code cmdstat_get} -> {@code get}), from INFO commandstats. */
    public Map<String, Long> commandCalls() {
        return parseCommandStats(info("commandstats"));
    }

    public static Map<String, Long> parseCommandStats(String info) {
        Map<String, Long> out = new TreeMap<>();
        for (String line : info.split("\r?\n")) {
            if (!line.startsWith("cmdstat_")) {
                continue;
            }
            String name = line.substring(8, line.indexOf(':'));
            int c = line.indexOf("calls=");
            int end = line.indexOf(',', c);
            out.put(name, Long.parseLong(line.substring(c + 6, end < 0 ? line.length() : end)));
        }
        return out;
    }

    /** Waits until {@code replicas} replicas are attached and have everything this master has written. */
    public void awaitReplicated(int replicas) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String info = info("replication");
            String offset = info.lines().filter(l -> l.startsWith("master_repl_offset:"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("?");
            if (info.contains("connected_slaves:" + replicas) && info.lines().filter(l -> l.startsWith("slave"))
                    // online: a replica still waiting for its first sync shows offset=0, as an idle master does
                    .allMatch(l -> l.contains("state=online") && l.contains("offset=" + offset + ","))) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("replicas of " + port + " did not catch up in 10 s");
    }

    /**
     * One command on a short connection; the reply as text (a status, a bulk string or an integer).
     * An error reply or a nil fails.
     */
    public String command(String... args) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(encode(args));
            out.flush();
            return readReply(new BufferedInputStream(s.getInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException("redis " + args[0] + " on port " + port + " failed", e);
        }
    }

    static byte[] encode(String... args) {
        StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String readReply(InputStream in) throws IOException {
        String header = readLine(in);
        if (header.isEmpty()) {
            throw new IOException("empty redis reply");
        }
        String rest = header.substring(1);
        switch (header.charAt(0)) {
            case '+':
            case ':':
                return rest;
            case '-':
                throw new IOException("redis error: " + rest);
            case '$': {
                int len = Integer.parseInt(rest.trim());
                if (len < 0) {
                    throw new IOException("redis nil reply");
                }
                byte[] body = in.readNBytes(len);
                if (body.length < len) {
                    throw new IOException("redis closed mid-reply");
                }
                in.readNBytes(2); // CRLF
                return new String(body, StandardCharsets.UTF_8);
            }
            default:
                throw new IOException("unexpected redis reply " + header);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("redis closed");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    /** SIGKILL (see the class comment). */
    public void kill() {
        proc.kill();
    }

    @Override
    public void close() {
        proc.kill();
    }

    @Override
    public String toString() {
        return "redis-server:" + port + " (" + proc + ")";
    }
}
