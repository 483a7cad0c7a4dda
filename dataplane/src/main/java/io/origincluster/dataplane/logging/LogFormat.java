package io.origincluster.dataplane.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.origincluster.dataplane.config.LogSettings;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Applies {@code PROXY_LOG_FORMAT} to logback's root appenders once the configuration is parsed. */
public final class LogFormat {

    private LogFormat() {
    }

    /**
     * Switches every output appender of the root logger to {@link JsonLineEncoder} when {@code json} is asked;
     * text is logback's own configuration, left as it is. Returns what restores the previous encoders.
     */
    public static Runnable apply(LogSettings settings) {
        if (settings.format() != LogSettings.Format.JSON
                || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return () -> { };
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        List<Runnable> undo = new ArrayList<>();
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof OutputStreamAppender<ILoggingEvent> out) {
                Encoder<ILoggingEvent> before = out.getEncoder();
                JsonLineEncoder json = new JsonLineEncoder();
                json.setContext(context);
                json.start();
                swap(out, json);
                undo.add(() -> swap(out, before));
            }
        }
        return () -> undo.forEach(Runnable::run);
    }

    private static void swap(OutputStreamAppender<ILoggingEvent> appender, Encoder<ILoggingEvent> encoder) {
        appender.stop();
        appender.setEncoder(encoder);
        appender.start();
    }
}
