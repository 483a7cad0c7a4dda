package io.origincluster.dataplane.config;

import java.util.Locale;

/**
 * How log lines are written: {@code text} (one human-readable line, key=value pairs at the end) or {@code json}
 * (one JSON object per line with the same keys, for Kubernetes log pipelines). The level stays with logback
 * ({@code PROXY_LOG_LEVEL}).
 */
public record LogSettings(Format format) {

    public enum Format { TEXT, JSON }

    static LogSettings from(Env env) {
        String v = env.string("PROXY_LOG_FORMAT", "text").trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "text" -> new LogSettings(Format.TEXT);
            case "json" -> new LogSettings(Format.JSON);
            default -> throw new ConfigException("PROXY_LOG_FORMAT", "'" + v + "' is not text or json");
        };
    }
}
