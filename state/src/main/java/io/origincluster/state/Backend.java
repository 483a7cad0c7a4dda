package io.origincluster.state;

import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An origin server as the routing layer sees it.
 *
 * @param id         stable identity (SRS: server-service-pid; Kubernetes: namespace/pod-uid)
 * @param ip         the address proxies dial for endpoints that name no host
 * @param endpoints  per protocol, in the order the origin advertised them; the first one is used
 * @param labels     free-form identity such as device_id, pod, namespace
 * @param weight     relative capacity for placement (1 = normal)
 * @param maxStreams cap on pinned streams for placement, 0 = unlimited
 * @param expiresAt  when the registration lapses unless refreshed; set by the store on register
 */
public record Backend(
        String id,
        String ip,
        Map<Protocol, List<Endpoint>> endpoints,
        BackendSource source,
        Map<String, String> labels,
        boolean draining,
        int weight,
        int maxStreams,
        Instant lastSeen,
        Instant expiresAt) {

    public Backend {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(source, "source");
        EnumMap<Protocol, List<Endpoint>> copy = new EnumMap<>(Protocol.class);
        if (endpoints != null) {
            endpoints.forEach((p, l) -> {
                // p is null for an endpoint kind this build does not know (written by a newer proxy): skipped
                if (p != null && l != null && !l.isEmpty()) {
                    copy.put(p, List.copyOf(l));
                }
            });
        }
        endpoints = java.util.Collections.unmodifiableMap(copy);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        if (weight < 1) {
            weight = 1;
        }
        if (maxStreams < 0) {
            maxStreams = 0;
        }
    }

    public static Backend of(String id, String ip, Map<Protocol, List<Endpoint>> endpoints, BackendSource source) {
        return new Backend(id, ip, endpoints, source, Map.of(), false, 1, 0, null, null);
    }

    /** The first endpoint of a protocol, if the origin offers it. */
    public Optional<Endpoint> endpoint(Protocol protocol) {
        List<Endpoint> l = endpoints.get(protocol);
        return l == null || l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    public boolean isLive(Instant now) {
        return expiresAt == null || expiresAt.isAfter(now);
    }

    public Backend withDraining(boolean value) {
        return new Backend(id, ip, endpoints, source, labels, value, weight, maxStreams, lastSeen, expiresAt);
    }

    public Backend withLabels(Map<String, String> value) {
        return new Backend(id, ip, endpoints, source, value, draining, weight, maxStreams, lastSeen, expiresAt);
    }

    public Backend withCapacity(int newWeight, int newMaxStreams) {
        return new Backend(id, ip, endpoints, source, labels, draining, newWeight, newMaxStreams, lastSeen, expiresAt);
    }

    public Backend withTimes(Instant seen, Instant expires) {
        return new Backend(id, ip, endpoints, source, labels, draining, weight, maxStreams, seen, expires);
    }
}
