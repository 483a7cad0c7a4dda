package io.origincluster.state.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.spi.AppenderAttachable;
import ch.qos.logback.core.encoder.Encoder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * JSON log lines for every process of the project (the data plane's {@code PROXY_LOG_FORMAT=json}, the operator's
 * {@code OPERATOR_LOG_FORMAT=json}): switches logback's root output appenders to {@link JsonLineEncoder} once the
 * configuration is parsed, so text stays logback's own configuration. Appenders behind a queue (an
 * {@code AsyncAppender}) are switched too.
 */
public final class JsonLogs {

    private JsonLogs() {
    }

    /** Every output appender of the root logger writes JSON lines from now on; returns what restores them. */
    public static Runnable useJsonLines() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return () -> { };
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        List<Runnable> undo = new ArrayList<>();
        useJsonLines(root, context, undo);
        return () -> undo.forEach(Runnable::run);
    }

    private static void useJsonLines(AppenderAttachable<ILoggingEvent> parent, LoggerContext context,
                                     List<Runnable> undo) {
        for (Iterator<Appender<ILoggingEvent>> it = parent.iteratorForAppenders(); it.hasNext(); ) {
            Appender<ILoggingEvent> appender = it.next();
            if (appender instanceof OutputStreamAppender<ILoggingEvent> out) {
                Encoder<ILoggingEvent> before = out.getEncoder();
                JsonLineEncoder json = new JsonLineEncoder();
                json.setContext(context);
                json.start();
                swap(out, json);
                undo.add(() -> swap(out, before));
            } else if (appender instanceof AppenderAttachable<?> inner) {
                @SuppressWarnings("unchecked")
                AppenderAttachable<ILoggingEvent> queued = (AppenderAttachable<ILoggingEvent>) inner;
                useJsonLines(queued, context, undo);
            }
        }
    }

    private static void swap(OutputStreamAppender<ILoggingEvent> appender, Encoder<ILoggingEvent> encoder) {
        appender.stop();
        appender.setEncoder(encoder);
        appender.start();
    }
}
