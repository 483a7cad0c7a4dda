package io.origincluster.e2e;

import io.origincluster.dataplane.testpeers.Ffmpeg;
import io.origincluster.testkit.Proc;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A live publisher as encoders behave: ffmpeg publishes the test clip in a loop through the data plane and, when
 * the connection drops (its origin died), publishes again after a short pause, until closed.
 */
public final class Publisher implements AutoCloseable {
    private final String url;
    private final AtomicInteger attempts = new AtomicInteger();
    private final Thread thread;
    private volatile boolean closed;
    private volatile Proc current;

    private Publisher(String url) {
        this.url = url;
        this.thread = new Thread(this::run, "publisher-" + url.substring(url.lastIndexOf('/') + 1));
        thread.setDaemon(true);
    }

    public static Publisher start(String url) {
        Publisher p = new Publisher(url);
        p.thread.start();
        return p;
    }

    private void run() {
        while (!closed) {
            attempts.incrementAndGet();
            Proc p = Ffmpeg.publishRtmp(url);
            current = p;
            try {
                while (!closed && !p.process().waitFor(50, TimeUnit.MILLISECONDS)) {
                    // publishing
                }
                if (!closed) {
                    Thread.sleep(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                p.close();
            }
        }
    }

    /** How many times ffmpeg was started (1 + reconnects). */
    public int attempts() {
        return attempts.get();
    }

    @Override
    public void close() {
        closed = true;
        Proc p = current;
        if (p != null) {
            p.close();
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
