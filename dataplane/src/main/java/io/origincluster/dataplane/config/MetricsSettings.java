package io.origincluster.dataplane.config;

/**
 * Per-stream meters ({@code PROXY_METRICS_PER_STREAM}, off by default): a series per live stream key means
 * unbounded label values in Prometheus, so it is opt-in and capped at {@code maxStreams} keys at once
 * ({@code PROXY_METRICS_PER_STREAM_MAX}); streams past the cap are counted, not metered.
 */
public record MetricsSettings(boolean perStream, int maxStreams) {

    static MetricsSettings from(Env env) {
        boolean perStream = env.onOff("PROXY_METRICS_PER_STREAM", false);
        int max = env.integer("PROXY_METRICS_PER_STREAM_MAX", 200, 1, 10_000);
        return new MetricsSettings(perStream, max);
    }
}
