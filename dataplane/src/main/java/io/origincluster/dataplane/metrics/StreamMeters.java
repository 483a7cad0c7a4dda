package io.origincluster.dataplane.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Per-stream meters (opt-in, {@code PROXY_METRICS_PER_STREAM}): for each stream key with a session through this
 * proxy, bytes relayed each way ({@code origincluster_stream_relayed_bytes_total{stream,direction}}, whose rate is
 * the bitrate) and sessions by role ({@code origincluster_stream_players}, {@code origincluster_stream_publishers}).
 * A stream's series are registered when its first session attaches and removed when its last one ends, and at most
 * {@code max} streams are metered at once; sessions of streams past the cap are counted in
 * {@code origincluster_stream_meters_refused_total} and go unmetered, so a flood of stream names cannot grow the
 * registry.
 */
public final class StreamMeters {

    /** One stream's meters, shared by its sessions; the counters are cached in each {@link SessionMeter}. */
    static final class Entry {
        final String key;
        final Counter fromClient;
        final Counter toClient;
        final AtomicInteger players = new AtomicInteger();
        final AtomicInteger publishers = new AtomicInteger();
        /** Sessions attached; the entry is removed when it drops to 0 (and may not be revived after). */
        int sessions;
        /** Sessions attached by protocol tag; changed only inside the map's compute for this key. */
        final TreeMap<String, Integer> protocols = new TreeMap<>();
        List<Meter> meters;

        Entry(String key, Counter fromClient, Counter toClient) {
            this.key = key;
            this.fromClient = fromClient;
            this.toClient = toClient;
        }
    }

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Entry> streams = new ConcurrentHashMap<>();
    private final Counter refused;
    private volatile boolean enabled;
    private volatile int max;

    StreamMeters(MeterRegistry registry) {
        this.registry = registry;
        this.refused = Counter.builder("origincluster.stream.meters.refused")
                .description("Sessions left out of the per-stream meters because PROXY_METRICS_PER_STREAM_MAX "
                        + "streams were metered already").register(registry);
    }

    /** Turns the per-stream meters on, for at most {@code maxStreams} streams at once. */
    public void enable(int maxStreams) {
        this.max = maxStreams;
        this.enabled = true;
    }

    /** A session of {@code key} starts; null when per-stream meters are off or the cap is reached. */
    Entry attach(String key, boolean publisher, String protocol) {
        if (!enabled) {
            return null;
        }
        Entry[] out = new Entry[1];
        streams.compute(key, (k, e) -> {
            if (e == null) {
                if (streams.size() >= max) {
                    return null;
                }
                e = register(k);
            }
            e.sessions++;
            e.protocols.merge(protocol, 1, Integer::sum);
            (publisher ? e.publishers : e.players).incrementAndGet();
            out[0] = e;
            return e;
        });
        if (out[0] == null) {
            refused.increment();
        }
        return out[0];
    }

    /** A session attached with {@link #attach} ended: the stream's series go with its last session. */
    void detach(Entry e, boolean publisher, String protocol) {
        (publisher ? e.publishers : e.players).decrementAndGet();
        streams.computeIfPresent(e.key, (k, cur) -> {
            if (cur != e) {
                return cur;
            }
            cur.protocols.computeIfPresent(protocol, (p, n) -> n > 1 ? n - 1 : null);
            if (--cur.sessions > 0) {
                return cur;
            }
            cur.meters.forEach(registry::remove);
            return null;
        });
    }

    private Entry register(String key) {
        Counter in = bytes(key, "client_to_origin");
        Counter out = bytes(key, "origin_to_client");
        Entry e = new Entry(key, in, out);
        Gauge players = Gauge.builder("origincluster.stream.players", e.players, AtomicInteger::get)
                .description("Player sessions of the stream through this proxy").tag("stream", key)
                .register(registry);
        Gauge publishers = Gauge.builder("origincluster.stream.publishers", e.publishers, AtomicInteger::get)
                .description("Publisher sessions of the stream through this proxy").tag("stream", key)
                .register(registry);
        e.meters = List.of(in, out, players, publishers);
        return e;
    }

    private Counter bytes(String key, String direction) {
        return Counter.builder("origincluster.stream.relayed").baseUnit("bytes")
                .description("Payload bytes of the stream relayed by this proxy (rate x 8 = bitrate)")
                .tag("stream", key).tag("direction", direction).register(registry);
    }

    public boolean enabled() {
        return enabled;
    }

    /**
     * This proxy's view of each metered stream, sorted by key: sessions by role and protocol, bytes each way so far
     * (for {@code GET /api/v1/proxy/streams}; a reader derives the bitrate from two readings).
     */
    public List<Map<String, Object>> snapshot() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String key : new TreeSet<>(streams.keySet())) {
            AtomicReference<Map<String, Object>> row = new AtomicReference<>();
            streams.computeIfPresent(key, (k, e) -> {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("key", k);
                o.put("publishers", e.publishers.get());
                o.put("players", e.players.get());
                o.put("protocols", new TreeMap<>(e.protocols));
                o.put("bytes", Map.of("fromClients", (long) e.fromClient.count(),
                        "toClients", (long) e.toClient.count()));
                row.set(o);
                return e;
            });
            if (row.get() != null) {
                out.add(row.get());
            }
        }
        return out;
    }

    /** Streams metered now, for tests that prove the map shrinks. */
    public int size() {
        return streams.size();
    }
}
