package io.origincluster.state.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis server on a free loopback port: the system {@code redis-server} when installed (Debian's 7.x),
 * otherwise the 6.2 binary that the embedded-redis jar ships. Never persisted, killed on close.
 */
public final class RedisTestServer implements AutoCloseable {

    private final int port;
    private final Process process;
    private final redis.embedded.RedisServer embedded;

    private RedisTestServer(int port, Process process, redis.embedded.RedisServer embedded) {
        this.port = port;
        this.process = process;
        this.embedded = embedded;
    }

    public static RedisTestServer start() {
        return start(freePort());
    }

    /** A fresh, empty server on {@code port}: lets a test restart Redis where its clients expect it. */
    public static RedisTestServer start(int port) {
        String system = systemBinary();
        try {
            if (system != null) {
                Process p = new ProcessBuilder(List.of(system, "--bind", "127.0.0.1", "--port", Integer.toString(port),
                        "--save", "", "--appendonly", "no", "--protected-mode", "no"))
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                RedisTestServer s = new RedisTestServer(port, p, null);
                s.awaitUp();
                return s;
            }
            redis.embedded.RedisServer e = redis.embedded.RedisServer.newRedisServer().port(port)
                    .setting("bind 127.0.0.1").setting("save \"\"").setting("appendonly no").build();
            e.start();
            RedisTestServer s = new RedisTestServer(port, null, e);
            s.awaitUp();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis", e);
        }
    }

    private static String systemBinary() {
        for (String dir : List.of("/usr/bin", "/usr/local/bin", "/usr/sbin")) {
            File f = new File(dir, "redis-server");
            if (f.canExecute()) {
                return f.getAbsolutePath();
            }
        }
        return null;
    }

    private void awaitUp() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        close();
        throw new IllegalStateException("redis did not start on port " + port);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
        try {
            if (process != null) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            if (embedded != null) {
                embedded.stop();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
