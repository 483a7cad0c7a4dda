package io.origincluster.dataplane.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The log queue never makes a caller wait: with the console stuck, lines past the queue's room are dropped and
 * counted.
 */
class DroppingAsyncAppenderTest {

    /** A console whose reader stopped: every write waits until released. */
    private static final class StuckConsole extends AppenderBase<ILoggingEvent> {
        final CountDownLatch released = new CountDownLatch(1);
        final List<String> written = new ArrayList<>();

        @Override
        protected void append(ILoggingEvent e) {
            try {
                released.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            synchronized (written) {
                written.add(e.getFormattedMessage());
            }
        }
    }

    @Test
    void aStuckConsoleCostsLinesNotTheCaller() {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        StuckConsole console = new StuckConsole();
        console.setContext(context);
        console.start();
        DroppingAsyncAppender queue = new DroppingAsyncAppender();
        queue.setContext(context);
        queue.setQueueSize(4);
        queue.setMaxFlushTime(5000);
        queue.addAppender(console);
        queue.start();
        ch.qos.logback.classic.Logger logger = context.getLogger("t");
        long droppedBefore = DroppingAsyncAppender.dropped();

        long t0 = System.nanoTime();
        int lines = 200;
        for (int i = 0; i < lines; i++) {
            // ERROR too: no level is allowed to wait for the console
            queue.doAppend(new LoggingEvent("t", logger, i % 2 == 0 ? Level.INFO : Level.ERROR, "line " + i, null,
                    null));
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        long dropped = DroppingAsyncAppender.dropped() - droppedBefore;

        assertThat(took).as("appending with the console stuck").isLessThan(Duration.ofSeconds(2));
        // the queue holds 4, and logback's worker takes what is queued in one go: at most 4 more in its hands
        assertThat(dropped).as(context.getStatusManager().getCopyOfStatusList().toString())
                .isBetween((long) lines - 8, (long) lines - 1);

        console.released.countDown();
        queue.stop(); // drains what is queued
        synchronized (console.written) {
            assertThat(console.written).hasSize((int) (lines - dropped));
            assertThat(console.written.get(0)).isEqualTo("line 0");
        }
    }
}
