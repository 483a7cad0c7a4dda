package io.origincluster.dataplane.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.origincluster.state.StateStore;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process's meters, exposed in Prometheus text format on the system API's {@code /metrics}. The Dataplane owns
 * one instance; protocol servers add their own meters to {@link #registry()} (names start with
 * {@code origincluster.}).
 *
 * <p>Cluster-state gauges (registered origins, pinned streams) are refreshed from the state store just before a
 * scrape, so they show what the shared store holds, not what this proxy happened to see.
 */
public final class Metrics {

    public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicLong registeredOrigins = new AtomicLong();
    private final AtomicLong pinnedStreams = new AtomicLong();

    public Metrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        Gauge.builder("origincluster.origins.registered", registeredOrigins, AtomicLong::get)
                .description("Live origins in the state store, draining ones included").register(registry);
        Gauge.builder("origincluster.streams.pinned", pinnedStreams, AtomicLong::get)
                .description("Stream keys currently pinned to an origin").register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Register/deregister calls on the system API by outcome: ok, invalid, unauthorized, too_large, error. */
    public Counter registerRequests(String operation, String result) {
        return Counter.builder("origincluster.register.requests")
                .description("Register and deregister requests on the system API by result")
                .tag("operation", operation).tag("result", result).register(registry);
    }

    /**
     * Session moves (drain, origin death, publisher return) by protocol, reason and outcome, and the stall each
     * completed move caused: {@code origincluster_session_moves_total}, {@code origincluster_session_move_stall_seconds}.
     */
    public void bindMoves(io.origincluster.dataplane.routing.LiveSessions sessions) {
        Gauge.builder("origincluster.sessions.movable", sessions, io.origincluster.dataplane.routing.LiveSessions::size)
                .description("Live sessions through this proxy that can move to another origin").register(registry);
        sessions.stats().listener((protocol, reason, outcome, stallNanos) -> {
            Counter.builder("origincluster.session.moves").description("Session moves to another origin")
                    .tag("protocol", protocol).tag("reason", reason)
                    .tag("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT)).register(registry).increment();
            if (outcome == io.origincluster.dataplane.routing.MoveStats.Outcome.COMPLETED && stallNanos >= 0) {
                io.micrometer.core.instrument.Timer.builder("origincluster.session.move.stall")
                        .description("How long a moved session's client got no media")
                        .tag("protocol", protocol).tag("reason", reason)
                        .publishPercentileHistogram().register(registry)
                        .record(stallNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
            }
        });
    }

    /** Reads origin and pin counts from the store (asynchronously) into the gauges. */
    public CompletionStage<Void> refreshState(StateStore store) {
        return store.liveBackends()
                .thenAccept(l -> registeredOrigins.set(l.size()))
                .thenCompose(v -> store.pins())
                .thenAccept(p -> pinnedStreams.set(p.size()));
    }

    public String scrape() {
        return registry.scrape();
    }

    public void close() {
        registry.close();
    }
}
