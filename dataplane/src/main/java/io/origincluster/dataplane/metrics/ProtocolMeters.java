package io.origincluster.dataplane.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.origincluster.dataplane.routing.NoRouteException;
import io.origincluster.dataplane.routing.ProxyResourceException;
import io.origincluster.dataplane.routing.Route;
import io.origincluster.dataplane.routing.RoutingCore;
import io.origincluster.dataplane.routing.StreamKey;
import io.origincluster.state.Protocol;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One protocol's meters, all built up front: sessions active and ended by result, bytes relayed each way, origin
 * dial and route lookup latency, failovers. Protocol code calls {@link #connect} instead of
 * {@code RoutingCore.connect} and {@link #open} once per client session.
 */
public final class ProtocolMeters {

    /** Buckets for dial and lookup latency: a local pin-cache hit is microseconds, a dial timeout seconds. */
    static final Duration[] LATENCY_BUCKETS = {
        Duration.ofNanos(100_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2),
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final SessionMetrics owner;
    private final String protocol;
    private final AtomicInteger active = new AtomicInteger();
    private final Counter[] results = new Counter[SessionMetrics.Result.values().length];
    final Counter fromClient;
    final Counter toClient;
    private final Timer dial;
    private final Timer routeLookup;
    private final Counter failovers;
    private final MeterRegistry registry;

    ProtocolMeters(SessionMetrics owner, MeterRegistry registry, String protocol) {
        this.owner = owner;
        this.registry = registry;
        this.protocol = protocol;
        Gauge.builder("origincluster.sessions.active", active, AtomicInteger::get)
                .description("Client sessions of this proxy now open").tag("protocol", protocol).register(registry);
        for (SessionMetrics.Result r : SessionMetrics.Result.values()) {
            results[r.ordinal()] = Counter.builder("origincluster.sessions")
                    .description("Client sessions ended, by result").tag("protocol", protocol).tag("result", r.tag)
                    .register(registry);
        }
        fromClient = bytes(registry, "client_to_origin");
        toClient = bytes(registry, "origin_to_client");
        dial = Timer.builder("origincluster.origin.dial")
                .description("Time to open a working origin leg (connect and protocol setup), successful dials")
                .tag("protocol", protocol).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
        routeLookup = Timer.builder("origincluster.route.lookup")
                .description("Time for the routing core to name an origin (pin cache or state store)")
                .tag("protocol", protocol).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
        failovers = Counter.builder("origincluster.failovers")
                .description("Origins tried after the first one of a connect failed").tag("protocol", protocol)
                .register(registry);
    }

    private Counter bytes(MeterRegistry registry, String direction) {
        return Counter.builder("origincluster.relayed").baseUnit("bytes")
                .description("Payload bytes relayed between clients and origins")
                .tag("protocol", protocol).tag("direction", direction).register(registry);
    }

    MeterRegistry registryForTests() {
        return registry;
    }

    public String protocol() {
        return protocol;
    }

    /** A new client session; end it exactly once (later calls are ignored). */
    public SessionMeter open() {
        active.incrementAndGet();
        return new SessionMeter(this);
    }

    void ended(SessionMetrics.Result r, String fixedOrigin) {
        active.decrementAndGet();
        results[r.ordinal()].increment();
        if (fixedOrigin != null) {
            owner.fixedSessionEnded(fixedOrigin);
        }
    }

    StreamMeters streams() {
        return owner.streams();
    }

    void fixedOrigin(String backendId) {
        owner.fixedSessionStarted(backendId);
    }

    /**
     * {@code routing.connect(key, protocol, avoid, connector)}, measured: the time until the routing core hands
     * over a route (each attempt), the time each successful dial took, one failover per attempt after the first,
     * and a dial failure for the origin of each failed attempt.
     */
    public <T> CompletionStage<T> connect(RoutingCore routing, StreamKey key, Protocol p, Set<String> avoid,
                                          Function<Route, CompletionStage<T>> connector) {
        Attempts a = new Attempts(System.nanoTime());
        CompletionStage<T> result = routing.connect(key, p, avoid, route -> {
            long now = System.nanoTime();
            routeLookup.record(now - a.mark, TimeUnit.NANOSECONDS);
            a.routed = true;
            if (a.count++ > 0) {
                failovers.increment();
            }
            CompletionStage<T> s;
            try {
                s = connector.apply(route);
            } catch (RuntimeException e) {
                s = CompletableFuture.failedFuture(e);
            }
            return s.whenComplete((v, err) -> {
                long done = System.nanoTime();
                if (err == null) {
                    dial.record(done - now, TimeUnit.NANOSECONDS);
                } else if (!(unwrap(err) instanceof ProxyResourceException)) {
                    a.failedDials++;
                    owner.dialFailed(route.backend().id());
                }
                a.mark = done;
                a.routed = false;
            });
        });
        CompletableFuture<T> out = new CompletableFuture<>();
        result.whenComplete((v, err) -> {
            if (err == null) {
                out.complete(v);
                return;
            }
            Throwable cause = unwrap(err);
            if (cause instanceof NoRouteException nr && !a.routed) {
                routeLookup.record(System.nanoTime() - a.mark, TimeUnit.NANOSECONDS);
                if (a.failedDials > 0) {
                    cause = new OriginsRefusedException(nr); // every origin it could reach refused
                }
            }
            out.completeExceptionally(cause);
        });
        return out;
    }

    /** Same as {@link #connect(RoutingCore, StreamKey, Protocol, Set, Function)} avoiding no origin. */
    public <T> CompletionStage<T> connect(RoutingCore routing, StreamKey key, Protocol p,
                                          Function<Route, CompletionStage<T>> connector) {
        return connect(routing, key, p, Set.of(), connector);
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The attempts of one connect run one after another, so plain fields are enough (handed over by futures). */
    private static final class Attempts {
        volatile long mark;
        volatile int count;
        volatile boolean routed;
        volatile int failedDials;

        Attempts(long mark) {
            this.mark = mark;
        }
    }
}
