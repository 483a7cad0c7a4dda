package io.origincluster.dataplane.config;

import java.time.Duration;

/**
 * The cluster poller behind {@code /api/v1/cluster/*}: how often each live origin's own HTTP API is read, how long
 * one origin gets to answer, and how many origins are read at once.
 */
public record ClusterSettings(Duration pollInterval, Duration pollTimeout, int pollConcurrency) {

    static ClusterSettings from(Env env) {
        Duration interval = env.duration("PROXY_CLUSTER_POLL_INTERVAL", "5s");
        if (interval.toMillis() < 100) {
            throw new ConfigException("PROXY_CLUSTER_POLL_INTERVAL", "must be at least 100ms");
        }
        Duration timeout = env.duration("PROXY_CLUSTER_POLL_TIMEOUT", "2s");
        if (timeout.toMillis() < 50) {
            throw new ConfigException("PROXY_CLUSTER_POLL_TIMEOUT", "must be at least 50ms");
        }
        if (timeout.compareTo(interval) > 0) {
            throw new ConfigException("PROXY_CLUSTER_POLL_TIMEOUT",
                    "must not be longer than PROXY_CLUSTER_POLL_INTERVAL (" + interval.toMillis() + "ms)");
        }
        int concurrency = env.integer("PROXY_CLUSTER_POLL_CONCURRENCY", 8, 1, 64);
        return new ClusterSettings(interval, timeout, concurrency);
    }
}
