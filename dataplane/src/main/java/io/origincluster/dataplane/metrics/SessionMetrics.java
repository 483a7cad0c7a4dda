package io.origincluster.dataplane.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.origincluster.dataplane.routing.NoRouteException;
import io.origincluster.dataplane.routing.ProxyResourceException;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one place every protocol reports its sessions to: a protocol package holds its {@link ProtocolMeters} (one
 * per protocol, built once with every counter it can touch), routes through {@link ProtocolMeters#connect} where it
 * would call {@code RoutingCore.connect}, opens a {@link SessionMeter} per client session and ends it with a
 * {@link Result}. Everything a relay touches per packet is a counter reference cached in the session: no map lookup,
 * no tag building and no allocation on the hot path.
 *
 * <p>Per-origin meters (dial failures, sessions of protocols that never move) are keyed by origin id and dropped by
 * {@link #retainOrigins} when an origin leaves the cluster, so the maps track live origins only.
 */
public final class SessionMetrics {

    /** How a session ended; the {@code result} tag of {@code origincluster_sessions_total}. */
    public enum Result {
        /** It reached an origin and relayed until either side ended it. */
        OK,
        /** No origin could take the stream (none registered, none with the protocol's endpoint, all full). */
        NO_ROUTE,
        /** Every origin tried refused or failed the connection (after failover). */
        ORIGIN_REFUSED,
        /** The client sent something invalid (bad handshake, bad stream name, bad request). */
        CLIENT_ERROR,
        /** The client left (or went silent) before it asked for a stream or before its route was ready. */
        ABANDONED,
        /** The proxy itself could not serve it (out of sockets, session table full, state store failing). */
        PROXY_ERROR,
        /** Refused by access control ({@code PROXY_AUTH}) or because the stream already has a publisher. */
        DENIED;

        final String tag = name().toLowerCase(Locale.ROOT);

        public String tag() {
            return tag;
        }
    }

    /** The protocol tag of the per-protocol meters. */
    public enum Kind {
        RTMP, HTTP, WEBRTC, SRT, RTSP;

        final String tag = name().toLowerCase(Locale.ROOT);
    }

    private final MeterRegistry registry;
    private final EnumMap<Kind, ProtocolMeters> protocols = new EnumMap<>(Kind.class);
    private final ConcurrentHashMap<String, Counter> dialFailures = new ConcurrentHashMap<>();
    /** Sessions of protocols that never move (WebRTC, SRT) per origin; movable ones are counted by LiveSessions. */
    private final ConcurrentHashMap<String, AtomicInteger> fixedSessions = new ConcurrentHashMap<>();
    private final StreamMeters streams;

    public SessionMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.streams = new StreamMeters(registry);
        for (Kind k : Kind.values()) {
            protocols.put(k, new ProtocolMeters(this, registry, k.tag));
        }
    }

    /** Meters that go nowhere, for code paths built without a registry (unit tests of single classes). */
    public static SessionMetrics detached() {
        return new SessionMetrics(new SimpleMeterRegistry());
    }

    /** The per-stream meters (off until {@link StreamMeters#enable}). */
    public StreamMeters streams() {
        return streams;
    }

    public ProtocolMeters protocol(Kind kind) {
        return protocols.get(kind);
    }

    /** What a failed route-and-connect means for the session's result. */
    public static Result classify(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof io.origincluster.dataplane.auth.AccessDenied) {
            return Result.DENIED;
        }
        if (t instanceof OriginsRefusedException) {
            return Result.ORIGIN_REFUSED;
        }
        if (t instanceof NoRouteException) {
            return Result.NO_ROUTE;
        }
        if (t instanceof ProxyResourceException) {
            return Result.PROXY_ERROR;
        }
        return Result.ORIGIN_REFUSED;
    }

    void dialFailed(String backendId) {
        dialFailures.computeIfAbsent(backendId, id -> Counter.builder("origincluster.origin.dial.failures")
                .description("Failed dials from this proxy to an origin (connect refused, timeout, rejected)")
                .tag("origin", id).register(registry)).increment();
    }

    void fixedSessionStarted(String backendId) {
        fixedSessions.computeIfAbsent(backendId, id -> new AtomicInteger()).incrementAndGet();
    }

    void fixedSessionEnded(String backendId) {
        fixedSessions.computeIfPresent(backendId, (id, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    /**
     * Sessions through this proxy per origin: the movable ones (counted by the routing core's live sessions) plus
     * those of protocols that stay on their origin.
     */
    public Map<String, Integer> sessionsByOrigin(Map<String, Integer> movable) {
        Map<String, Integer> out = new HashMap<>(movable);
        fixedSessions.forEach((id, n) -> out.merge(id, n.get(), Integer::sum));
        return out;
    }

    /** An origin left the cluster: its per-origin meters go. */
    public void originRemoved(String backendId) {
        Counter c = dialFailures.remove(backendId);
        if (c != null) {
            registry.remove(c);
        }
    }

    /** Drops the per-origin meters of origins no longer live. */
    public void retainOrigins(Collection<String> liveIds) {
        Set<String> live = new HashSet<>(liveIds);
        dialFailures.entrySet().removeIf(e -> {
            if (live.contains(e.getKey())) {
                return false;
            }
            registry.remove(e.getValue());
            return true;
        });
    }

    /** Origins holding per-origin entries, for tests that prove the maps shrink. */
    public int originEntries() {
        return dialFailures.size() + fixedSessions.size();
    }
}
