package io.origincluster.state.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A system {@code redis-server} child process in an arbitrary mode (TLS, Sentinel) on loopback, with its log under
 * {@code target/peer-logs}. Needs the real binary: a missing redis-server fails the test.
 */
final class RedisProcess implements AutoCloseable {

    private final Process process;
    private final int port;

    private RedisProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static RedisProcess start(String name, int port, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary());
        cmd.addAll(args);
        try {
            Path logs = Path.of("target", "peer-logs");
            Files.createDirectories(logs);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(logs.resolve(name + "-" + port + ".log").toFile()).start();
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "redis-process-reaper"));
            RedisProcess r = new RedisProcess(p, port);
            r.awaitListening();
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
    }

    static boolean hasBinary() {
        return findBinary() != null;
    }

    static String binary() {
        String found = findBinary();
        if (found == null) {
            throw new IllegalStateException("redis-server is not installed (scripts/install-test-deps.sh installs it)");
        }
        return found;
    }

    private static String findBinary() {
        for (String dir : List.of("/usr/bin", "/usr/local/bin", "/usr/sbin")) {
            File f = new File(dir, "redis-server");
            if (f.canExecute()) {
                return f.getAbsolutePath();
            }
        }
        return null;
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return port;
    }

    boolean alive() {
        return process.isAlive();
    }

    private void awaitListening() {
        if (!awaitPort(port, process::isAlive)) {
            close();
            throw new IllegalStateException("redis-server did not listen on port " + port + " (see target/peer-logs)");
        }
    }

    /** Waits up to 10 s for a TCP listener on loopback {@code port} while {@code alive} holds. */
    static boolean awaitPort(int port, java.util.function.BooleanSupplier alive) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && alive.getAsBoolean()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException e) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }

    @Override
    public void close() {
        try {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
