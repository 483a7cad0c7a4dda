package io.origincluster.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Free loopback ports for peers that cannot bind port 0 themselves and report it (nginx, redis-server,
 * srt-live-transmit, a proxy JVM), and the bounded wait until something listens on one.
 */
public final class Ports {
    private Ports() {
    }

    public static int freeTcp() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int freeUdp() {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True once a TCP connection to {@code host:port} succeeds, within {@code timeout}. */
    public static boolean accepts(String host, int port, Duration timeout) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Waits until {@code host:port} accepts TCP connections; gives up (false) after {@code timeout} or as soon as
     * {@code alive} turns false, so a peer that died at start-up is reported at once, not after the whole wait.
     */
    public static boolean awaitTcp(String host, int port, Duration timeout, BooleanSupplier alive) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (alive.getAsBoolean()) {
            if (accepts(host, port, Duration.ofMillis(200))) {
                return true;
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
