package io.origincluster.dataplane.testpeers;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Netty's leak detector at PARANOID for the duration of a test class, with its reports captured: every buffer
 * allocated while it runs is tracked, and {@link #leaks()} forces collection and returns what was reported.
 */
public final class LeakWatch implements AutoCloseable {

    private final ResourceLeakDetector.Level previous = ResourceLeakDetector.getLevel();
    private final Logger logger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public LeakWatch() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        appender.start();
        logger.addAppender(appender);
    }

    public List<String> leaks() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            // tracking new buffers is what makes the detector poll for collected, unreleased ones
            for (int j = 0; j < 50; j++) {
                ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer(16);
                b.release();
            }
        }
        return appender.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("LEAK"))
                .toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        ResourceLeakDetector.setLevel(previous);
    }
}
