package io.origincluster.dataplane.logging;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/** Writes out the queued log lines before the process exits (the log queue is drained by a daemon thread). */
public final class LogShutdown {

    private LogShutdown() {
    }

    /**
     * Stops logback, which drains its queue for at most the appender's flush time; nothing is logged after this.
     * Call right before {@code System.exit} or {@code halt}.
     */
    public static void flush() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.stop();
        }
    }
}
