package io.origincluster.dataplane;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * One listener of the data plane. {@link #start()} binds synchronously so a taken port stops start-up with a
 * clear error; {@link #stop(Duration)} stops accepting and gives running sessions up to {@code grace} to end.
 */
public interface ProtocolServer {

    String name();

    void start() throws Exception;

    /** The bound address (its port is the real one when the configured port was 0). */
    InetSocketAddress localAddress();

    /** The bound address of this listener's TLS twin ({@code tls.TlsTwin}), or null when it has none. */
    default InetSocketAddress tlsAddress() {
        return null;
    }

    void stop(Duration grace);

    /**
     * Waits (off any event loop: stop runs on the caller's thread) until {@code live} is empty or the deadline
     * passes, so that sessions ending on their own within the grace period end cleanly.
     */
    static void awaitEmpty(java.util.Collection<?> live, long deadlineNanos) {
        while (!live.isEmpty() && System.nanoTime() - deadlineNanos < 0) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
