package io.origincluster.dataplane.logging;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.concurrent.atomic.LongAdder;

/**
 * The proxy's log queue: lines are written to the console by one thread of logback's, so an event loop never waits
 * for stdout. When the queue is full (a log collector that stopped reading the container's stdout fills the pipe, and
 * a synchronous console write would then stop every loop of the process) a line is dropped and counted instead
 * ({@code origincluster_log_lines_dropped_total}); relaying goes on. Every level is kept while there is room.
 */
public final class DroppingAsyncAppender extends AsyncAppender {

    private static final LongAdder DROPPED = new LongAdder();

    public DroppingAsyncAppender() {
        setNeverBlock(true);
        // logback asks isDiscardable only below this many free slots: here, only when the queue is full
        setDiscardingThreshold(1);
    }

    @Override
    protected boolean isDiscardable(ILoggingEvent event) {
        DROPPED.increment();
        return true;
    }

    /** Lines dropped by every instance since the process started. */
    public static long dropped() {
        return DROPPED.sum();
    }
}
