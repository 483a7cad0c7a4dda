package io.origincluster.dataplane.logging;

import io.origincluster.dataplane.config.LogSettings;
import io.origincluster.state.logging.JsonLogs;

/** Applies {@code PROXY_LOG_FORMAT} to logback's root appenders once the configuration is parsed. */
public final class LogFormat {

    private LogFormat() {
    }

    /**
     * Switches every output appender of the root logger to JSON lines when {@code json} is asked (the encoder the
     * operator uses too); text is logback's own configuration, left as it is. Returns what restores it.
     */
    public static Runnable apply(LogSettings settings) {
        return settings.format() == LogSettings.Format.JSON ? JsonLogs.useJsonLines() : () -> { };
    }
}
