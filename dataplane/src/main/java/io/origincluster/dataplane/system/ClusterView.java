package io.origincluster.dataplane.system;

import io.origincluster.state.Backend;
import io.origincluster.state.Endpoint;
import io.origincluster.state.Protocol;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON shapes of {@code GET /api/v1/origins} and {@code GET /api/v1/streams} (what SRS issue #4646 asks for):
 * each origin with its liveness, draining flag, the sessions this proxy relays through it, lease expiry, endpoints
 * and the address the proxy dials, and each
 * pinned stream with its origin.
 */
final class ClusterView {

    private ClusterView() {
    }

    static Map<String, Object> origins(List<Backend> backends, Map<String, String> pins,
                                       Map<String, Integer> sessions, Instant now) {
        Map<String, Long> pinCounts = new HashMap<>();
        pins.values().forEach(id -> pinCounts.merge(id, 1L, Long::sum));
        List<Map<String, Object>> list = new ArrayList<>();
        backends.stream().sorted(Comparator.comparing(Backend::id))
                .forEach(b -> {
                    Map<String, Object> o = origin(b, pinCounts.getOrDefault(b.id(), 0L), now);
                    o.put("sessions", sessions.getOrDefault(b.id(), 0));
                    list.add(o);
                });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("code", 0);
        out.put("origins", list);
        return out;
    }

    static Map<String, Object> origin(Backend b, long pinned, Instant now) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", b.id());
        o.put("ip", b.ip());
        o.put("source", b.source().name().toLowerCase(java.util.Locale.ROOT));
        o.put("alive", b.isLive(now));
        o.put("draining", b.draining());
        o.put("weight", b.weight());
        o.put("maxStreams", b.maxStreams());
        o.put("pinnedStreams", pinned);
        o.put("labels", new TreeMap<>(b.labels()));
        o.put("lastSeen", b.lastSeen() == null ? null : b.lastSeen().toString());
        o.put("expiresAt", b.expiresAt() == null ? null : b.expiresAt().toString());
        o.put("expiresInMs", b.expiresAt() == null ? null : Math.max(0, Duration.between(now, b.expiresAt()).toMillis()));
        Map<String, List<String>> endpoints = new LinkedHashMap<>();
        Map<String, String> dial = new LinkedHashMap<>();
        for (Protocol p : Protocol.values()) {
            List<Endpoint> l = b.endpoints().get(p);
            if (l != null) {
                endpoints.put(p.jsonName(), l.stream().map(Endpoint::toString).toList());
                InetSocketAddress a = l.get(0).resolve(b.ip());
                String host = a.getHostString().indexOf(':') >= 0 ? "[" + a.getHostString() + "]" : a.getHostString();
                dial.put(p.jsonName(), l.get(0).transport() + "://" + host + ":" + a.getPort());
            }
        }
        o.put("endpoints", endpoints);
        o.put("dial", dial);
        return o;
    }

    static Map<String, Object> streams(Map<String, String> pins) {
        List<Map<String, Object>> list = new ArrayList<>();
        new TreeMap<>(pins).forEach((key, backend) -> {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("key", key);
            s.put("origin", backend);
            list.add(s);
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("code", 0);
        out.put("streams", list);
        return out;
    }
}
