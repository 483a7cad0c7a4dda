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
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    private final SessionMetrics sessionMetrics = new SessionMetrics(registry);
    private final MultiGauge originSessions = MultiGauge.builder("origincluster.origin.sessions")
            .description("Client sessions this proxy relays through each origin").register(registry);
    private final MultiGauge originPins = MultiGauge.builder("origincluster.origin.pinned.streams")
            .description("Stream keys pinned to each origin (cluster-wide, from the state store)").register(registry);
    private volatile io.origincluster.dataplane.routing.LiveSessions liveSessions;

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

    /** What the protocol packages report their sessions to (one {@link ProtocolMeters} per protocol). */
    public SessionMetrics sessions() {
        return sessionMetrics;
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
        this.liveSessions = sessions;
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

    /**
     * Reads origins and pins from the store (asynchronously) into the gauges, per origin too; the per-origin meters
     * of origins that left are dropped here.
     */
    public CompletionStage<Void> refreshState(StateStore store) {
        return store.liveBackends().thenCombine(store.pins(), (live, pins) -> {
            registeredOrigins.set(live.size());
            pinnedStreams.set(pins.size());
            List<String> ids = live.stream().map(io.origincluster.state.Backend::id).toList();
            Map<String, Long> pinCounts = new HashMap<>();
            pins.values().forEach(id -> pinCounts.merge(id, 1L, Long::sum));
            var ls = liveSessions;
            Map<String, Integer> sessions = sessionMetrics.sessionsByOrigin(
                    ls == null ? Map.of() : ls.countsByBackend());
            Set<String> rowsFor = new HashSet<>(ids);
            rowsFor.addAll(sessions.keySet());
            List<MultiGauge.Row<?>> sessionRows = new ArrayList<>();
            List<MultiGauge.Row<?>> pinRows = new ArrayList<>();
            for (String id : rowsFor) {
                sessionRows.add(MultiGauge.Row.of(Tags.of("origin", id), sessions.getOrDefault(id, 0)));
            }
            for (String id : ids) {
                pinRows.add(MultiGauge.Row.of(Tags.of("origin", id), pinCounts.getOrDefault(id, 0L)));
            }
            originSessions.register(sessionRows, true);
            originPins.register(pinRows, true);
            sessionMetrics.retainOrigins(ids);
            return null;
        });
    }

    public String scrape() {
        return registry.scrape();
    }

    public void close() {
        registry.close();
    }
}
