package io.origincluster.dataplane.routing;

import io.origincluster.state.Backend;
import io.origincluster.state.StateStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The registrations this proxy accepted (SRS heartbeats through its system API), each with the end of its lease.
 * While the state store is unreachable a heartbeat is accepted here alone; when the store answers again
 * {@link #flush} registers every one whose lease still runs, for what is left of it. That covers heartbeats
 * made during the outage and a Redis that came back empty. An entry leaves when its lease lapses or the origin
 * deregisters, so the map holds at most the origins that heartbeat through this proxy.
 */
public final class Registrations {

    private record Entry(Backend backend, long leaseEndNanos) { }

    private final StateStore store;
    private final ConcurrentHashMap<String, Entry> leases = new ConcurrentHashMap<>();

    Registrations(StateStore store) {
        this.store = store;
    }

    /** A registration of {@code backend} for {@code ttl}, stored or (the store being unreachable) held here only. */
    public void accepted(Backend backend, Duration ttl) {
        leases.put(backend.id(), new Entry(backend, System.nanoTime() + ttl.toNanos()));
    }

    /** The origin deregistered. */
    public void removed(String backendId) {
        leases.remove(backendId);
    }

    public int size() {
        return leases.size();
    }

    /** Registers every held origin whose lease still runs, for the rest of its lease. */
    CompletionStage<Void> flush() {
        long now = System.nanoTime();
        List<CompletableFuture<Backend>> writes = new ArrayList<>();
        for (Entry e : leases.values()) {
            long left = e.leaseEndNanos() - now;
            if (left > 1_000_000L) {
                writes.add(store.register(e.backend(), Duration.ofNanos(left)).toCompletableFuture());
            }
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    /** Drops lapsed leases. */
    void sweep() {
        long now = System.nanoTime();
        leases.values().removeIf(e -> e.leaseEndNanos() - now <= 0);
    }
}
